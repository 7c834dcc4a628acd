package org.anatwin.api;

import graphql.ExecutionResult;
import graphql.GraphqlErrorBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.graphql.support.DefaultExecutionGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * At most {@code anatwin.api.max-operations-per-connection} (16 by default) operations in flight on
 * one WebSocket: each running subscription holds a place until it completes, fails or is cancelled
 * (or the connection closes). One more is answered with an error, code {@code
 * api:subscription.limit}, and nothing is started for it, so one client cannot pile up streams
 * (each holds server memory and a share of every event) on a single connection.
 */
@Component
public class SubscriptionLimits implements WebSocketGraphQlInterceptor {
  public static final String LIMIT = "api:subscription.limit";
  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public SubscriptionLimits(@Value("${anatwin.api.max-operations-per-connection:16}") int max) {
    if (max < 1) {
      throw new IllegalArgumentException("anatwin.api.max-operations-per-connection is at least 1");
    }
    this.max = max;
  }

  @Override
  public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
    if (!(request instanceof WebSocketGraphQlRequest socket)) {
      return chain.next(request);
    }
    String session = socket.getSessionInfo().getId();
    AtomicInteger count = inFlight.computeIfAbsent(session, s -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      ExecutionResult refused =
          ExecutionResult.newExecutionResult()
              .addError(
                  GraphqlErrorBuilder.newError()
                      .message(
                          "at most "
                              + max
                              + " operations run at once on one connection; end one first")
                      .errorType(ErrorType.BAD_REQUEST)
                      .extensions(Map.of("code", LIMIT))
                      .build())
              .build();
      return Mono.just(
          new WebGraphQlResponse(
              new DefaultExecutionGraphQlResponse(request.toExecutionInput(), refused)));
    }
    Runnable release = () -> count.decrementAndGet();
    return chain
        .next(request)
        .map(
            response -> {
              if (response.getData() instanceof Publisher<?> stream) {
                return response.transform(
                    b -> b.data(Flux.from(stream).doFinally(signal -> release.run())));
              }
              release.run();
              return response;
            })
        .doOnError(e -> release.run());
  }

  @Override
  public void handleConnectionClosed(
      WebSocketSessionInfo info, int status, Map<String, Object> payload) {
    inFlight.remove(info.getId());
  }

  /** Operations in flight on a connection (for tests). */
  int inFlight(String session) {
    AtomicInteger count = inFlight.get(session);
    return count == null ? 0 : count.get();
  }
}

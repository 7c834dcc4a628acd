package org.anatwin.ingest.dicomweb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.Actor;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * STOW-RS (PS3.18 10.5): {@code POST /dicomweb/studies} with a {@code multipart/related;
 * type="application/dicom"} body. Each part is stored durably before the response; the response
 * lists stored instances in Referenced SOP Sequence and refused ones in Failed SOP Sequence with a
 * Failure Reason: 200 when all were stored, 202 when some were refused, 409 when none was stored.
 */
@RestController
class StowEndpoint {
  /** PS3.4 C-STORE failure reasons used in Failed SOP Sequence. */
  private static final int CANNOT_UNDERSTAND = 0xC000;

  private static final int OUT_OF_RESOURCES = 0xA700;
  private static final int DUPLICATE_SOP_INSTANCE = 0x0111;

  private final Ingest ingest;

  StowEndpoint(Ingest ingest) {
    this.ingest = ingest;
  }

  private record Failure(int reason) {}

  @PostMapping(value = "/dicomweb/studies", produces = "application/dicom+json")
  ResponseEntity<String> store(@RequestHeader("Content-Type") String contentType, InputStream body)
      throws IOException {
    if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/related")) {
      return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
          .contentType(MediaType.APPLICATION_JSON)
          .body(
              "{\"code\":\"ingest:stow.media-type\",\"message\":\"STOW-RS takes multipart/related; type=application/dicom\"}");
    }
    Actor sender = current();
    List<MultipartRelated.Part> parts;
    try {
      parts =
          MultipartRelated.parse(
              readBounded(body, ingest.limits().maxStowBytes()),
              MultipartRelated.boundary(contentType));
    } catch (IngestException e) {
      ingest.auditRefusal(sender, "dicom.stow", e);
      return ResponseEntity.status(
              e.code().equals("ingest:stow.too-large")
                  ? HttpStatus.CONTENT_TOO_LARGE
                  : HttpStatus.BAD_REQUEST)
          .contentType(MediaType.APPLICATION_JSON)
          .body(
              "{\"code\":\""
                  + e.code()
                  + "\",\"message\":\""
                  + e.getMessage().replace("\"", "'")
                  + "\"}");
    }
    List<Ingest.Receipt> stored = new ArrayList<>();
    List<Failure> failed = new ArrayList<>();
    for (MultipartRelated.Part part : parts) {
      if (!part.contentType().startsWith("application/dicom")) {
        failed.add(new Failure(CANNOT_UNDERSTAND));
        continue;
      }
      try {
        stored.add(ingest.receive(part.body(), sender, "STOW-RS"));
      } catch (IngestException e) {
        ingest.auditRefusal(sender, "dicom.stow", e);
        int reason =
            switch (e.code()) {
              case "ingest:instance.conflict" -> DUPLICATE_SOP_INSTANCE;
              case "ingest:file.too-large" -> OUT_OF_RESOURCES;
              default -> CANNOT_UNDERSTAND;
            };
        failed.add(new Failure(reason));
      }
    }
    int newly = (int) stored.stream().filter(r -> r.outcome() == Ingest.Stored.NEW).count();
    ingest.auditReceipt(sender, "dicom.stow", newly, stored.size() - newly);
    HttpStatus status =
        failed.isEmpty()
            ? HttpStatus.OK
            : stored.isEmpty() ? HttpStatus.CONFLICT : HttpStatus.ACCEPTED;
    return ResponseEntity.status(status)
        .contentType(MediaType.parseMediaType("application/dicom+json"))
        .body(response(stored, failed));
  }

  private static Actor current() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    return auth == null
        ? Actor.dicomSender("anonymous")
        : Actor.dicomSender("web-" + auth.getName());
  }

  /** Reads the body, refusing it as soon as it passes the limit (nothing of it is stored then). */
  private static byte[] readBounded(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > limit || total > Integer.MAX_VALUE - 8) {
        throw new IngestException(
            "ingest:stow.too-large", "the STOW-RS body is over the limit of " + limit + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** The STOW-RS response dataset in the DICOM JSON model (PS3.18 F.2). */
  private static String response(List<Ingest.Receipt> stored, List<Failure> failed) {
    StringBuilder json = new StringBuilder("{");
    json.append("\"00081199\":{\"vr\":\"SQ\",\"Value\":[");
    for (int i = 0; i < stored.size(); i++) {
      Ingest.Receipt r = stored.get(i);
      json.append(i > 0 ? "," : "")
          .append('{')
          .append(uid("00081150", r.sopClassUid()))
          .append(',')
          .append(uid("00081155", r.sopInstanceUid()))
          .append('}');
    }
    json.append("]}");
    if (!failed.isEmpty()) {
      json.append(",\"00081198\":{\"vr\":\"SQ\",\"Value\":[");
      for (int i = 0; i < failed.size(); i++) {
        Failure f = failed.get(i);
        json.append(i > 0 ? "," : "")
            .append("{\"00081197\":{\"vr\":\"US\",\"Value\":[")
            .append(f.reason())
            .append("]}}");
      }
      json.append("]}");
    }
    return json.append('}').toString();
  }

  private static String uid(String tag, String value) {
    // UIDs are digits and dots (checked when parsed), so they need no escaping
    return "\"" + tag + "\":{\"vr\":\"UI\",\"Value\":[\"" + value + "\"]}";
  }
}

package org.anatwin.ingest.dicomweb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anatwin.ingest.IngestException;

/** A parser of {@code multipart/related} bodies (RFC 2387) as STOW-RS clients send them. */
final class MultipartRelated {
  /** One part: its headers (lower-case names) and bytes. */
  record Part(Map<String, String> headers, byte[] body) {
    String contentType() {
      return headers
          .getOrDefault("content-type", "application/octet-stream")
          .toLowerCase(Locale.ROOT);
    }
  }

  private MultipartRelated() {}

  /** The boundary parameter of a Content-Type header, or a refusal. */
  static String boundary(String contentType) {
    for (String parameter : contentType.split(";")) {
      String p = parameter.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String value = p.substring("boundary=".length()).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty() && value.length() <= 70) {
          return value;
        }
      }
    }
    throw new IngestException(
        "ingest:stow.no-boundary",
        "the multipart/related Content-Type has no valid boundary parameter");
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw new IngestException(
          "ingest:stow.malformed", "the body holds no part delimited by its boundary");
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      int afterDelimiter = at + delimiter.length;
      if (afterDelimiter + 2 <= body.length
          && body[afterDelimiter] == '-'
          && body[afterDelimiter + 1] == '-') {
        return parts; // close delimiter
      }
      int headersStart = skipLineEnd(body, afterDelimiter);
      int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, headersStart);
      if (headersEnd < 0) {
        throw new IngestException("ingest:stow.malformed", "a part has no end of headers");
      }
      Map<String, String> headers = new HashMap<>();
      for (String line :
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1)
              .split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(
              line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).strip());
        }
      }
      int contentStart = headersEnd + 4;
      int next = indexOf(body, delimiter, contentStart);
      if (next < 0) {
        throw new IngestException(
            "ingest:stow.malformed", "the last part is not closed by its boundary");
      }
      int contentEnd = next;
      if (contentEnd >= 2 && body[contentEnd - 2] == '\r' && body[contentEnd - 1] == '\n') {
        contentEnd -= 2;
      }
      byte[] content = new byte[Math.max(0, contentEnd - contentStart)];
      System.arraycopy(body, contentStart, content, 0, content.length);
      parts.add(new Part(headers, content));
      at = next;
    }
  }

  private static int skipLineEnd(byte[] body, int at) {
    while (at < body.length && (body[at] == ' ' || body[at] == '\t')) {
      at++;
    }
    if (at + 1 < body.length && body[at] == '\r' && body[at + 1] == '\n') {
      return at + 2;
    }
    return at;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

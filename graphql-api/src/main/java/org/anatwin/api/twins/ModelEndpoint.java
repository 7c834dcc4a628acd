package org.anatwin.api.twins;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.anatwin.api.ApiException;
import org.anatwin.api.CurrentActor;
import org.anatwin.model.AnatwinException;
import org.anatwin.versioning.RegisteredModel;
import org.anatwin.versioning.SegmentationModels;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/models} (admins): registers a segmentation model sent as a zip holding exactly
 * {@code descriptor.json} and one {@code .onnx} file. 201 with the registered model; 200 when the
 * same files are registered already; 400 with a stable code for a package, descriptor or network
 * that is refused (nothing is stored then), 409 for other files under a registered name@version.
 * The package is read with a cap on its decompressed size ({@code
 * anatwin.segmentation.max-model-bytes}, default 512 MiB); nothing is written from entry names.
 */
@RestController
class ModelEndpoint {
  private final SegmentationModels models;
  private final long maxBytes;

  ModelEndpoint(
      SegmentationModels models,
      @Value("${anatwin.segmentation.max-model-bytes:536870912}") long maxBytes) {
    this.models = models;
    this.maxBytes = maxBytes;
  }

  @PostMapping("/api/models")
  ResponseEntity<RegisteredModel> register(HttpServletRequest request) throws IOException {
    if (request.getContentLengthLong() > maxBytes) {
      throw refused("api:model.too-large", "a model package is at most " + maxBytes + " bytes");
    }
    byte[] descriptor = null;
    byte[] onnx = null;
    int entries = 0;
    try (ZipInputStream zip = new ZipInputStream(request.getInputStream())) {
      long total = 0;
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        if (entry.isDirectory()) {
          continue;
        }
        if (++entries > 2) {
          throw refused(
              "api:model.package", "a model package holds descriptor.json and one .onnx file");
        }
        byte[] bytes = readCapped(zip, maxBytes - total);
        total += bytes.length;
        String name = entry.getName();
        if (name.equals("descriptor.json") && descriptor == null) {
          descriptor = bytes;
        } else if (name.endsWith(".onnx") && !name.contains("/") && onnx == null) {
          onnx = bytes;
        } else {
          throw refused(
              "api:model.package",
              "unexpected entry '" + name + "': the package holds descriptor.json and one .onnx");
        }
      }
    } catch (ZipException e) {
      throw refused("api:model.package", "the body is not a zip file: " + e.getMessage());
    }
    if (descriptor == null || onnx == null) {
      throw refused("api:model.package", "the package lacks descriptor.json or the .onnx file");
    }
    SegmentationModels.Registration registered =
        models.register(onnx, descriptor, CurrentActor.get());
    return ResponseEntity.status(registered.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(registered.model());
  }

  private static byte[] readCapped(InputStream in, long cap) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    long read = 0;
    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
      read += n;
      if (read > cap) {
        throw refused("api:model.too-large", "the model package unpacks to more than allowed");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static ApiException refused(String code, String message) {
    return new ApiException(code, message);
  }

  /** A refused registration: 400, or 409 for a name@version taken by other files. */
  @ExceptionHandler(AnatwinException.class)
  ResponseEntity<Map<String, String>> refused(AnatwinException e) {
    HttpStatus status =
        e.code().equals("versioning:model.conflict") ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
    return ResponseEntity.status(status).body(Map.of("code", e.code(), "message", e.getMessage()));
  }
}

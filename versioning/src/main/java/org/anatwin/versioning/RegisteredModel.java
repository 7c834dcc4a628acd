package org.anatwin.versioning;

import java.util.List;

/**
 * A segmentation model in the registry: its lineage entity id, {@code name@version}, what it
 * segments, the SHA-256 of its ONNX file and descriptor (both stored as blobs), who registered it
 * and when (UTC, ISO-8601).
 */
public record RegisteredModel(
    String id,
    String key,
    String name,
    String version,
    String modality,
    List<String> bodyParts,
    List<String> labels,
    String onnxSha256,
    String descriptorSha256,
    String registeredBy,
    String registeredAt) {

  public RegisteredModel {
    bodyParts = List.copyOf(bodyParts);
    labels = List.copyOf(labels);
  }
}

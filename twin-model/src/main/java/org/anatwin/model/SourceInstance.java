package org.anatwin.model;

/**
 * One DICOM instance a derived entity was made from: its SOP Instance UID and the hash of its
 * dataset (file meta header excluded, so a copy re-wrapped by another PACS keeps its hash).
 */
public record SourceInstance(SopInstanceUid sopInstanceUid, ContentHash datasetHash) {}

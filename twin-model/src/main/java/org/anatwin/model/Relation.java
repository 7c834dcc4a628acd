package org.anatwin.model;

/** The W3C PROV relations the lineage graph uses, named as they appear in Neo4j. */
public enum Relation {
  /** entity to the entity it was made from */
  WAS_DERIVED_FROM,
  /** entity to the activity that generated it */
  WAS_GENERATED_BY,
  /** activity to an entity it used */
  USED,
  /** activity to an agent (person, software, printer) responsible for it */
  WAS_ASSOCIATED_WITH
}

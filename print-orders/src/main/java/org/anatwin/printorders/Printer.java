package org.anatwin.printorders;

/** A registered printer: id, name, technology (FDM, SLA, ...) and the driver that talks to it. */
public record Printer(String id, String name, String technology, String driver) {}

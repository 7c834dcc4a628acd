package org.anatwin.modeling;

/**
 * How one surface differs from another: the signed distance of each of its vertices to the other
 * surface (mm, positive outside it, negative inside), their mean, mean absolute value, root mean
 * square and 95th percentile of the absolute value, the extremes, the symmetric Hausdorff distance,
 * and the enclosed volume's change (mm³, this surface minus the other).
 */
public record SurfaceDiff(
    float[] distances,
    double meanMm,
    double meanAbsoluteMm,
    double rmsMm,
    double p95AbsoluteMm,
    double minMm,
    double maxMm,
    double hausdorffMm,
    double volumeChangeMm3) {}

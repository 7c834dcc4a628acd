/**
 * From a {@link org.anatwin.model.Volume} to printable geometry: threshold segmentation into a
 * {@link org.anatwin.modeling.LabelMap}, a closed surface by VTK flying edges on the padded label
 * map with windowed-sinc smoothing and the largest connected region, the mesh QA report and binary
 * STL export. {@link org.anatwin.modeling.Modeling} is the entry point; every operation is
 * deterministic and names its algorithm, version and parameters for lineage.
 */
@NullMarked
package org.anatwin.modeling;

import org.jspecify.annotations.NullMarked;

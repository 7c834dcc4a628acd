/** The Cypher the benchmarks write their generated graphs with (the only driver use in bench). */
@NullMarked
package org.anatwin.bench.persistence;

import org.jspecify.annotations.NullMarked;

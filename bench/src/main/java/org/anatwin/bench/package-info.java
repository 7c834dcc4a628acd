/**
 * Benchmarks that run our code and a peer on the same input in the same run, interleaved, and end
 * with one JSON line. {@link org.anatwin.bench.Benchmarks} is the entry point ({@code ./anatwin
 * bench NAME}).
 */
@NullMarked
package org.anatwin.bench;

import org.jspecify.annotations.NullMarked;

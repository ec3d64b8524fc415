package org.clconv.cpu;

import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.SeparableBlock;
import org.clconv.Tensor;

/** Placeholder until the CPU backend lands (being written now). */
public final class CpuBackend implements ConvBackend {
    @Override public String name() { return "cpu"; }
    @Override public String deviceDescription() { return "Java"; }
    @Override public Tensor conv2d(ConvLayer layer, Tensor input) { throw new UnsupportedOperationException(); }
    @Override public Tensor separable(SeparableBlock block, Tensor input) { throw new UnsupportedOperationException(); }
    @Override public void close() { }
}

package org.clconv.bench;

import java.util.List;
import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.SeparableBlock;
import org.clconv.Tensor;

/** A {@link BenchLayer} with concrete tensors: the input and one {@link ConvLayer} per stage. */
public final class Workload {
    private final BenchLayer layer;
    private final Tensor input;
    private final List<ConvLayer> layers;
    private final SeparableBlock block;

    Workload(BenchLayer layer, Tensor input, List<ConvLayer> layers) {
        this.layer = layer;
        this.input = input;
        this.layers = List.copyOf(layers);
        this.block = layers.size() == 2 ? new SeparableBlock(layers.get(0), layers.get(1)) : null;
    }

    public BenchLayer layer() {
        return layer;
    }

    public Tensor input() {
        return input;
    }

    /** One layer for a convolution; depthwise then pointwise for a separable block. */
    public List<ConvLayer> convLayers() {
        return layers;
    }

    /** The whole workload as one host call: {@code conv2d}, or {@code separable} for a block. */
    public Tensor runOn(ConvBackend backend) {
        return block == null ? backend.conv2d(layers.get(0), input) : backend.separable(block, input);
    }

    /** {@link #runOn(ConvBackend)} into the caller's output tensor (of {@code layer().outputShape()}). */
    public Tensor runOn(ConvBackend backend, Tensor output) {
        return block == null ? backend.conv2d(layers.get(0), input, output)
                : backend.separable(block, input, output);
    }
}

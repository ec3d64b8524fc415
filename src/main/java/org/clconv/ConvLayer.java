package org.clconv;

import java.util.Objects;

/**
 * A convolution with its parameters: the spec, the weight (out, in/groups, kh, kw) and the bias (out) or
 * {@code null}. Shapes are checked on construction. Backends may cache work derived from the weights (packed
 * panels, device copies) for the life of a layer, so treat a layer's tensors as immutable once built.
 */
public final class ConvLayer {
    private final Conv2d spec;
    private final Tensor weight;
    private final Tensor bias;

    public ConvLayer(Conv2d spec, Tensor weight, Tensor bias) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.bias = bias;
        spec.checkWeights(weight.shape(), bias == null ? null : bias.shape());
    }

    public Conv2d spec() {
        return spec;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or {@code null} when the spec has none. */
    public Tensor bias() {
        return bias;
    }

    /** Binds an input shape and checks it against this layer. */
    public ConvGeometry bind(Shape input) {
        return spec.bind(input);
    }

    @Override
    public String toString() {
        return "ConvLayer[" + spec + "]";
    }
}

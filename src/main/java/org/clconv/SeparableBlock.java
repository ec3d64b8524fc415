package org.clconv;

import java.util.Objects;

/**
 * A depthwise-separable block: a depthwise conv (groups = in_channels) followed by a pointwise (1x1) conv
 * over its output, each with its own bias and activation. Checked on construction: the first layer must be
 * depthwise, the second pointwise, and the channels must chain.
 */
public final class SeparableBlock {
    private final ConvLayer depthwise;
    private final ConvLayer pointwise;

    public SeparableBlock(ConvLayer depthwise, ConvLayer pointwise) {
        this.depthwise = Objects.requireNonNull(depthwise, "depthwise");
        this.pointwise = Objects.requireNonNull(pointwise, "pointwise");
        checkPair(depthwise.spec(), pointwise.spec());
    }

    /** The checks of the constructor on specs alone (also used by the cost analysis, which has no weights). */
    public static void checkPair(Conv2d dw, Conv2d pw) {
        if (!dw.isDepthwise()) {
            throw new InvalidConvolutionException("the first layer of a separable block must be depthwise (groups = "
                    + "in_channels), got groups=" + dw.groups() + " with in_channels=" + dw.inChannels());
        }
        if (pw.kernelH() != 1 || pw.kernelW() != 1) {
            throw new InvalidConvolutionException("the second layer of a separable block must be pointwise (1x1), "
                    + "got kernel_size=(" + pw.kernelH() + ", " + pw.kernelW() + ")");
        }
        if (pw.inChannels() != dw.outChannels()) {
            throw new InvalidConvolutionException("the pointwise layer's in_channels=" + pw.inChannels()
                    + " must equal the depthwise layer's out_channels=" + dw.outChannels());
        }
    }

    public ConvLayer depthwise() {
        return depthwise;
    }

    public ConvLayer pointwise() {
        return pointwise;
    }

    /** The output shape for an input shape, with every check both layers make. */
    public Shape outputShape(Shape input) {
        ConvGeometry first = depthwise.bind(input);
        return pointwise.bind(first.outputShape()).outputShape();
    }
}

package org.clconv;

/**
 * A {@link Conv2d} bound to an input size: the output size, the cost, and the checks PyTorch makes at call
 * time (the dilated kernel fits the padded input; reflect pads are smaller than the input, circular pads
 * at most the input; every tensor's element count fits the index type the backends use).
 */
public final class ConvGeometry {
    /**
     * The largest padded input side and output plane (height x width). Backends index inside one plane with int
     * arithmetic and compute coordinates somewhat past its edge (a work-group's tile beyond the last output, the
     * far taps of a dilated kernel); this bound leaves that arithmetic a factor of two of headroom, so no
     * coordinate can wrap around even when a whole tensor is near {@link Tensor#MAX_ELEMENTS}.
     */
    public static final long MAX_PLANE = 1L << 30;

    private final Conv2d spec;
    private final int batch;
    private final int inH;
    private final int inW;
    private final int outH;
    private final int outW;

    ConvGeometry(Conv2d spec, int batch, int inH, int inW) {
        if (batch <= 0 || inH <= 0 || inW <= 0) {
            throw new InvalidConvolutionException("input batch, height and width must be positive, got N=" + batch
                    + ", H=" + inH + ", W=" + inW);
        }
        checkModePads(spec, "height", spec.padTop(), spec.padBottom(), inH);
        checkModePads(spec, "width", spec.padLeft(), spec.padRight(), inW);
        long paddedH = (long) inH + spec.padTop() + spec.padBottom();
        long paddedW = (long) inW + spec.padLeft() + spec.padRight();
        long extentH = (long) spec.dilationH() * (spec.kernelH() - 1) + 1;
        long extentW = (long) spec.dilationW() * (spec.kernelW() - 1) + 1;
        if (extentH > paddedH || extentW > paddedW) {
            throw new InvalidConvolutionException("the dilated kernel (" + extentH + " x " + extentW
                    + ", from kernel_size=(" + spec.kernelH() + ", " + spec.kernelW() + ") and dilation=("
                    + spec.dilationH() + ", " + spec.dilationW() + ")) is larger than the padded input (" + paddedH
                    + " x " + paddedW + ", from input " + inH + " x " + inW + ")");
        }
        this.spec = spec;
        this.batch = batch;
        this.inH = inH;
        this.inW = inW;
        this.outH = outputSize("height", paddedH, extentH, spec.strideH());
        this.outW = outputSize("width", paddedW, extentW, spec.strideW());
        Tensor.checkedNumel("input", inputShape());
        Tensor.checkedNumel("output", outputShape());
        Tensor.checkedNumel("weight", spec.weightShape());
        checkPlane("padded input height", paddedH);
        checkPlane("padded input width", paddedW);
        checkPlane("output plane " + outH + " x " + outW, (long) outH * outW);
    }

    private static void checkPlane(String what, long size) {
        if (size > MAX_PLANE) {
            throw new InvalidConvolutionException(what + " has " + size + " elements, more than the " + MAX_PLANE
                    + " (2^30) a plane may have so that in-plane index arithmetic cannot overflow an int");
        }
    }

    /** One output side; checked before the int cast, since padding can push it past Integer.MAX_VALUE. */
    private static int outputSize(String axis, long padded, long extent, int stride) {
        long size = (padded - extent) / stride + 1;
        if (size > Tensor.MAX_ELEMENTS) {
            throw new InvalidConvolutionException("output " + axis + " " + size + " (padded input " + padded
                    + ", dilated kernel " + extent + ", stride " + stride + ") exceeds the " + Tensor.MAX_ELEMENTS
                    + " elements a tensor can hold");
        }
        return (int) size;
    }

    private static void checkModePads(Conv2d spec, String axis, int before, int after, int size) {
        int pad = Math.max(before, after);
        if (spec.paddingMode() == PaddingMode.REFLECT && pad >= size) {
            throw new InvalidConvolutionException("padding_mode=reflect needs padding smaller than the input " + axis
                    + ": padding (" + before + ", " + after + ") vs input " + axis + " " + size);
        }
        if (spec.paddingMode() == PaddingMode.CIRCULAR && pad > size) {
            throw new InvalidConvolutionException("padding_mode=circular needs padding at most the input " + axis
                    + ": padding (" + before + ", " + after + ") vs input " + axis + " " + size);
        }
    }

    public Conv2d spec() { return spec; }
    public int batch() { return batch; }
    public int inH() { return inH; }
    public int inW() { return inW; }
    public int outH() { return outH; }
    public int outW() { return outW; }

    public Shape inputShape() {
        return Shape.of(batch, spec.inChannels(), inH, inW);
    }

    public Shape outputShape() {
        return Shape.of(batch, spec.outChannels(), outH, outW);
    }

    /** Checks an output tensor given to a call that writes into it: see {@link #checkOutput(Shape, Tensor, Tensor)}. */
    public void checkOutput(Tensor input, Tensor output) {
        checkOutput(outputShape(), input, output);
    }

    /**
     * Checks the output tensor of a call that writes into the caller's tensor: it has the {@code expected} shape
     * and does not share the input's array (the input is still read while outputs are written).
     */
    public static void checkOutput(Shape expected, Tensor input, Tensor output) {
        if (!output.shape().equals(expected)) {
            throw new InvalidConvolutionException("output shape must be " + expected + " for input "
                    + input.shape() + ", got " + output.shape());
        }
        if (output.data() == input.data()) {
            throw new InvalidConvolutionException("output must not share its array with the input: the input is"
                    + " still read while the output is written");
        }
    }

    /** Multiply-accumulates: every output element sums (in/groups)*kh*kw products. */
    public long macs() {
        return (long) batch * spec.outChannels() * outH * outW * spec.inChannelsPerGroup() * spec.kernelH()
                * spec.kernelW();
    }

    /** FLOPs counted as 2 per MAC, the usual convention (bias and activation are not counted). */
    public long flops() {
        return 2 * macs();
    }

    /** The least traffic any implementation needs: each input, weight, bias and output element moved once. */
    public long minimumBytes() {
        long elements = inputShape().numel() + outputShape().numel() + spec.weightShape().numel()
                + (spec.hasBias() ? spec.outChannels() : 0);
        return 4 * elements;
    }

    @Override
    public String toString() {
        return spec + " on " + inputShape() + " -> " + outputShape();
    }
}

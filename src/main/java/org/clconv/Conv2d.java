package org.clconv;

import java.util.Objects;

/**
 * The specification of one {@code torch.nn.Conv2d} layer (plus a fused activation): everything but the
 * input size and the weights. Immutable and validated on construction, so a {@code Conv2d} that exists is a
 * layer PyTorch would accept. {@link #bind} adds an input size and checks what depends on it.
 *
 * <p>This class is the one place that knows PyTorch's rules; backends receive resolved numbers
 * ({@link #padTop()} etc.) and never re-derive them.
 */
public final class Conv2d {
    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final int dilationH;
    private final int dilationW;
    private final int groups;
    private final boolean bias;
    private final PaddingMode paddingMode;
    private final Activation activation;
    private final int padTop;
    private final int padBottom;
    private final int padLeft;
    private final int padRight;

    private Conv2d(Builder b) {
        requirePositive("in_channels", b.inChannels);
        requirePositive("out_channels", b.outChannels);
        requirePositivePair("kernel_size", b.kernelH, b.kernelW);
        requirePositivePair("stride", b.strideH, b.strideW);
        requirePositivePair("dilation", b.dilationH, b.dilationW);
        requirePositive("groups", b.groups);
        if (b.inChannels % b.groups != 0) {
            throw new InvalidConvolutionException("groups=" + b.groups + " must divide in_channels=" + b.inChannels);
        }
        if (b.outChannels % b.groups != 0) {
            throw new InvalidConvolutionException("groups=" + b.groups + " must divide out_channels=" + b.outChannels);
        }
        Objects.requireNonNull(b.padding, "padding");
        if (b.padding.isSame() && (b.strideH != 1 || b.strideW != 1)) {
            throw new InvalidConvolutionException("padding='same' is not supported for strided convolutions, got stride=("
                    + b.strideH + ", " + b.strideW + ")");
        }
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.kernelH = b.kernelH;
        this.kernelW = b.kernelW;
        this.strideH = b.strideH;
        this.strideW = b.strideW;
        this.padding = b.padding;
        this.dilationH = b.dilationH;
        this.dilationW = b.dilationW;
        this.groups = b.groups;
        this.bias = b.bias;
        this.paddingMode = Objects.requireNonNull(b.paddingMode, "paddingMode");
        this.activation = Objects.requireNonNull(b.activation, "activation");
        int[] pads = padding.resolve(kernelH, kernelW, dilationH, dilationW);
        this.padTop = pads[0];
        this.padBottom = pads[1];
        this.padLeft = pads[2];
        this.padRight = pads[3];
        // The dilated extent and the padded sizes are computed in int by every backend; keep them far from overflow.
        checkFitsInt("dilation*(kernel_size-1)", (long) dilationH * (kernelH - 1) + 1, (long) dilationW * (kernelW - 1) + 1);
        checkFitsInt("padding", (long) padTop + padBottom, (long) padLeft + padRight);
    }

    public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, kernelH, kernelW);
    }

    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel, kernel);
    }

    /** Depthwise: groups = in_channels, {@code multiplier} outputs per input channel. */
    public static Builder depthwise(int channels, int multiplier, int kernelH, int kernelW) {
        return new Builder(channels, channels * multiplier, kernelH, kernelW).groups(channels);
    }

    /** Pointwise: a 1x1 convolution. */
    public static Builder pointwise(int inChannels, int outChannels) {
        return new Builder(inChannels, outChannels, 1, 1);
    }

    /** Binds an input size (N, H, W), checking everything that depends on it. */
    public ConvGeometry bind(int batch, int height, int width) {
        return new ConvGeometry(this, batch, height, width);
    }

    /** Binds the shape of an NCHW input tensor, checking its rank and channel count. */
    public ConvGeometry bind(Shape input) {
        if (input.rank() != 4) {
            throw new InvalidConvolutionException("input must be 4-D NCHW, got shape " + input + " (rank " + input.rank() + ")");
        }
        if (input.dim(1) != inChannels) {
            throw new InvalidConvolutionException("input has " + input.dim(1) + " channels (shape " + input
                    + ") but the convolution expects in_channels=" + inChannels);
        }
        return bind(input.dim(0), input.dim(2), input.dim(3));
    }

    /** The weight shape PyTorch uses: (out_channels, in_channels/groups, kh, kw). */
    public Shape weightShape() {
        return Shape.of(outChannels, inChannels / groups, kernelH, kernelW);
    }

    public Shape biasShape() {
        return Shape.of(outChannels);
    }

    /** Learnable parameters: weights plus bias. */
    public long parameterCount() {
        return weightShape().numel() + (bias ? outChannels : 0);
    }

    /** groups == in_channels: each input channel is convolved on its own (with {@link #channelMultiplier()} filters). */
    public boolean isDepthwise() {
        return groups == inChannels;
    }

    public int channelMultiplier() {
        return outChannels / inChannels;
    }

    /** A 1x1, stride-1, unpadded convolution: a (grouped) matrix product over channels. */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1
                && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0;
    }

    /** Checks a weight of shape (out, in/groups, kh, kw) and a bias of shape (out), present exactly when the spec has one. */
    public void checkWeights(Shape weight, Shape biasShape) {
        if (!weight.equals(weightShape())) {
            throw new InvalidConvolutionException("weight shape " + weight + " does not match " + weightShape()
                    + " = (out_channels, in_channels/groups, kh, kw) for " + this);
        }
        if (bias && biasShape == null) {
            throw new InvalidConvolutionException("bias=true but no bias tensor was given; expected shape " + biasShape());
        }
        if (!bias && biasShape != null) {
            throw new InvalidConvolutionException("bias=false but a bias tensor of shape " + biasShape + " was given");
        }
        if (biasShape != null && !biasShape.equals(biasShape())) {
            throw new InvalidConvolutionException("bias shape " + biasShape + " does not match " + biasShape()
                    + " = (out_channels)");
        }
    }

    public Builder toBuilder() {
        return new Builder(inChannels, outChannels, kernelH, kernelW).stride(strideH, strideW).padding(padding)
                .dilation(dilationH, dilationW).groups(groups).bias(bias).paddingMode(paddingMode).activation(activation);
    }

    public int inChannels() { return inChannels; }
    public int outChannels() { return outChannels; }
    public int kernelH() { return kernelH; }
    public int kernelW() { return kernelW; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public Padding padding() { return padding; }
    public int dilationH() { return dilationH; }
    public int dilationW() { return dilationW; }
    public int groups() { return groups; }
    public boolean hasBias() { return bias; }
    public PaddingMode paddingMode() { return paddingMode; }
    public Activation activation() { return activation; }
    public int padTop() { return padTop; }
    public int padBottom() { return padBottom; }
    public int padLeft() { return padLeft; }
    public int padRight() { return padRight; }
    public int inChannelsPerGroup() { return inChannels / groups; }
    public int outChannelsPerGroup() { return outChannels / groups; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Conv2d)) {
            return false;
        }
        Conv2d c = (Conv2d) o;
        return inChannels == c.inChannels && outChannels == c.outChannels && kernelH == c.kernelH
                && kernelW == c.kernelW && strideH == c.strideH && strideW == c.strideW && padding.equals(c.padding)
                && dilationH == c.dilationH && dilationW == c.dilationW && groups == c.groups && bias == c.bias
                && paddingMode == c.paddingMode && activation == c.activation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(inChannels, outChannels, kernelH, kernelW, strideH, strideW, padding, dilationH,
                dilationW, groups, bias, paddingMode, activation);
    }

    /** PyTorch-like: {@code Conv2d(3, 10, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=3, ...)}. */
    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel_size=(" + kernelH + ", " + kernelW
                + "), stride=(" + strideH + ", " + strideW + "), padding=" + describePadding() + ", dilation=("
                + dilationH + ", " + dilationW + "), groups=" + groups + ", bias=" + bias + ", padding_mode="
                + paddingMode.label() + ", activation=" + activation.label() + ")";
    }

    private String describePadding() {
        if (padding.isNamed()) {
            return "'" + padding + "' (" + padTop + ", " + padBottom + ", " + padLeft + ", " + padRight + ")";
        }
        return "(" + padTop + ", " + padLeft + ")";
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new InvalidConvolutionException(name + " must be positive, got " + value);
        }
    }

    private static void requirePositivePair(String name, int h, int w) {
        if (h <= 0 || w <= 0) {
            throw new InvalidConvolutionException(name + " must be positive, got (" + h + ", " + w + ")");
        }
    }

    private static void checkFitsInt(String name, long h, long w) {
        long limit = Integer.MAX_VALUE / 4;
        if (h > limit || w > limit) {
            throw new InvalidConvolutionException(name + " is too large: (" + h + ", " + w + ") exceeds " + limit);
        }
    }

    /** Fluent construction with PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, bias on. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int kernelH;
        private final int kernelW;
        private int strideH = 1;
        private int strideW = 1;
        private Padding padding = Padding.of(0);
        private int dilationH = 1;
        private int dilationW = 1;
        private int groups = 1;
        private boolean bias = true;
        private PaddingMode paddingMode = PaddingMode.ZEROS;
        private Activation activation = Activation.NONE;

        private Builder(int inChannels, int outChannels, int kernelH, int kernelW) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernelH = kernelH;
            this.kernelW = kernelW;
        }

        public Builder stride(int h, int w) { strideH = h; strideW = w; return this; }
        public Builder stride(int s) { return stride(s, s); }
        public Builder padding(Padding p) { padding = p; return this; }
        public Builder padding(int h, int w) { return padding(Padding.of(h, w)); }
        public Builder padding(int p) { return padding(Padding.of(p)); }
        public Builder dilation(int h, int w) { dilationH = h; dilationW = w; return this; }
        public Builder dilation(int d) { return dilation(d, d); }
        public Builder groups(int g) { groups = g; return this; }
        public Builder bias(boolean b) { bias = b; return this; }
        public Builder paddingMode(PaddingMode m) { paddingMode = m; return this; }
        public Builder activation(Activation a) { activation = a; return this; }

        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}

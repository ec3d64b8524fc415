package org.clconv;

import java.util.Random;

/**
 * Draws valid {@code torch.nn.Conv2d} configurations at random, valid by construction: the input size is
 * chosen after the kernel, dilation, padding and padding mode so that PyTorch would accept it (sometimes
 * exactly at the limit). The pads and output size each case must produce are worked out here, from PyTorch's
 * formulas, independently of {@link Conv2d}, so a wrong resolution in the contract shows up as a mismatch.
 */
final class RandomConvs {
    private enum PadForm { EXPLICIT, SAME, VALID }

    /** The corners {@link #nextCorner()} aims at, besides what {@link #next()} reaches by chance. */
    enum Corner {
        /** A 1x1 input (padding makes room for the kernel). */
        ONE_PIXEL,
        /** The input exactly as large as the dilated kernel minus the padding: one output per axis when valid. */
        KERNEL_FILLS_INPUT,
        /** Strides beyond the kernel's extent, so some input rows and columns are never read. */
        STRIDE_BEYOND_KERNEL,
        /** One input channel (and one or several outputs). */
        SINGLE_CHANNEL,
        /** Depthwise with a channel multiplier of 8 to 32. */
        LARGE_MULTIPLIER
    }

    private final Random random;

    RandomConvs(long seed) {
        this.random = new Random(seed);
    }

    /** One random configuration of any kind: standard, grouped, depthwise (with multiplier) or pointwise. */
    ConvCase next() {
        int kind = random.nextInt(10);
        int groups;
        int inChannels;
        int outChannels;
        if (kind < 3) {
            groups = 1;
            inChannels = 1 + random.nextInt(4);
            outChannels = 1 + random.nextInt(4);
        } else if (kind < 5) {
            groups = 2 + random.nextInt(2);
            inChannels = groups * (1 + random.nextInt(3));
            outChannels = groups * (1 + random.nextInt(3));
        } else if (kind < 8) {
            inChannels = 1 + random.nextInt(4);
            groups = inChannels;
            outChannels = inChannels * (1 + random.nextInt(3));
        } else {
            groups = 1 + random.nextInt(2);
            inChannels = groups * (1 + random.nextInt(4));
            outChannels = groups * (1 + random.nextInt(4));
        }
        return draw(inChannels, outChannels, groups, kind >= 8, null);
    }

    /** A configuration at one of the {@link Corner}s, drawn at random. */
    ConvCase nextCorner() {
        Corner corner = Corner.values()[random.nextInt(Corner.values().length)];
        switch (corner) {
            case SINGLE_CHANNEL: {
                int out = random.nextBoolean() ? 1 : 2 + random.nextInt(5);
                return draw(1, out, 1, random.nextInt(4) == 0, corner);
            }
            case LARGE_MULTIPLIER: {
                int channels = 1 + random.nextInt(3);
                return draw(channels, channels * (8 + random.nextInt(25)), channels, false, corner);
            }
            default: {
                int groups = 1 + random.nextInt(2);
                return draw(groups * (1 + random.nextInt(3)), groups * (1 + random.nextInt(3)), groups, false, corner);
            }
        }
    }

    /** A depthwise-separable block's two layers: depthwise (any kernel, stride, padding) then pointwise. */
    ConvCase[] nextSeparable() {
        int channels = 1 + random.nextInt(4);
        ConvCase depthwise = draw(channels, channels * (1 + random.nextInt(3)), channels, false, null);
        Shape mid = depthwise.expectedOutput();
        Conv2d pointwiseSpec = Conv2d.pointwise(mid.dim(1), 1 + random.nextInt(6)).bias(random.nextBoolean())
                .activation(randomActivation()).build();
        ConvCase pointwise = new ConvCase(pointwiseSpec, mid, new int[] {0, 0, 0, 0},
                Shape.of(mid.dim(0), pointwiseSpec.outChannels(), mid.dim(2), mid.dim(3)), random.nextLong(), 1f);
        return new ConvCase[] {depthwise, pointwise};
    }

    /** {@code corner} (or {@code null}) narrows the padding form, the mode and each axis' sizes. */
    private ConvCase draw(int inChannels, int outChannels, int groups, boolean pointwise, Corner corner) {
        PadForm form = PadForm.values()[random.nextInt(PadForm.values().length)];
        PaddingMode mode = PaddingMode.values()[random.nextInt(PaddingMode.values().length)];
        if (corner == Corner.ONE_PIXEL) {
            // Only padding can make room for a kernel on one pixel; reflect needs an input larger than its pad.
            form = random.nextBoolean() ? PadForm.SAME : PadForm.EXPLICIT;
            mode = random.nextBoolean() ? PaddingMode.ZEROS : PaddingMode.REPLICATE;
        } else if (corner == Corner.KERNEL_FILLS_INPUT && random.nextBoolean()) {
            form = PadForm.VALID;
        } else if (corner == Corner.STRIDE_BEYOND_KERNEL && form == PadForm.SAME) {
            form = PadForm.EXPLICIT;
        }
        Axis h = axis(pointwise, form, mode, corner);
        Axis w = axis(pointwise, form, mode, corner);
        Conv2d spec = Conv2d.builder(inChannels, outChannels, h.kernel, w.kernel)
                .stride(h.stride, w.stride).dilation(h.dilation, w.dilation).padding(padding(form, h, w))
                .groups(groups).bias(random.nextBoolean()).paddingMode(mode).activation(randomActivation()).build();
        int batch = 1 + random.nextInt(3);
        Shape input = Shape.of(batch, inChannels, h.size, w.size);
        Shape output = Shape.of(batch, outChannels, h.outputSize(), w.outputSize());
        // Large inputs make relu6's upper clamp fire; small ones keep the linear range in play.
        float inputScale = random.nextBoolean() ? 1f : 8f;
        return new ConvCase(spec, input, new int[] {h.before, h.after, w.before, w.after}, output, random.nextLong(),
                inputScale);
    }

    private static Padding padding(PadForm form, Axis h, Axis w) {
        switch (form) {
            case SAME:
                return Padding.same();
            case VALID:
                return Padding.valid();
            default:
                return Padding.of(h.before, w.before);
        }
    }

    private Axis axis(boolean pointwise, PadForm form, PaddingMode mode, Corner corner) {
        int kernel = pointwise ? 1 : 1 + random.nextInt(7);
        int stride = pointwise || form == PadForm.SAME ? 1 : 1 + random.nextInt(3);
        int dilation = 1 + random.nextInt(4);
        if (corner == Corner.STRIDE_BEYOND_KERNEL && !pointwise) {
            kernel = 1 + random.nextInt(3);
            dilation = 1 + random.nextInt(2);
            stride = dilation * (kernel - 1) + 2 + random.nextInt(4);
        }
        int extent = dilation * (kernel - 1) + 1;
        int before;
        int after;
        if (form == PadForm.SAME) {
            // PyTorch: total dilation*(kernel-1), the odd one out at the end
            int total = extent - 1;
            before = total / 2;
            after = total - before;
        } else if (form == PadForm.VALID || pointwise) {
            before = 0;
            after = 0;
        } else if (corner == Corner.ONE_PIXEL) {
            // at least half the extent on each side, so that one pixel plus the pads holds the kernel
            before = extent / 2 + random.nextInt(2);
            after = before;
        } else {
            before = random.nextInt(5);
            after = before;
        }
        int largestPad = Math.max(before, after);
        int minSize = Math.max(1, extent - before - after);
        if (mode == PaddingMode.REFLECT) {
            minSize = Math.max(minSize, largestPad + 1);
        } else if (mode == PaddingMode.CIRCULAR) {
            minSize = Math.max(minSize, largestPad);
        }
        boolean smallest = corner == Corner.ONE_PIXEL || corner == Corner.KERNEL_FILLS_INPUT;
        int size = smallest || random.nextInt(4) == 0 ? minSize : minSize + random.nextInt(8);
        return new Axis(kernel, stride, dilation, before, after, size);
    }

    private Activation randomActivation() {
        return Activation.values()[random.nextInt(Activation.values().length)];
    }

    private record Axis(int kernel, int stride, int dilation, int before, int after, int size) {
        int outputSize() {
            return (size + before + after - dilation * (kernel - 1) - 1) / stride + 1;
        }
    }

    /**
     * One drawn configuration: the spec, the input shape, the pads {top, bottom, left, right} and output shape
     * PyTorch gives it, and the seed of its data.
     */
    record ConvCase(Conv2d spec, Shape input, int[] expectedPads, Shape expectedOutput, long dataSeed,
                    float inputScale) {

        /** Weights scaled by 1/sqrt(fan-in) (like PyTorch's init) so outputs stay O(input). */
        ConvLayer layer() {
            Random r = new Random(dataSeed);
            double fanIn = (double) spec.inChannelsPerGroup() * spec.kernelH() * spec.kernelW();
            Tensor weight = gaussian(r, spec.weightShape(), (float) (1 / Math.sqrt(fanIn)));
            Tensor bias = spec.hasBias() ? gaussian(r, spec.biasShape(), 0.5f) : null;
            return new ConvLayer(spec, weight, bias);
        }

        Tensor inputTensor() {
            return gaussian(new Random(~dataSeed), input, inputScale);
        }

        /** Everything needed to rebuild the case by hand. */
        String describe() {
            return spec + " on input " + input + " (expected pads top,bottom,left,right = "
                    + java.util.Arrays.toString(expectedPads) + ", output " + expectedOutput + "; data seed "
                    + dataSeed + ", input scale " + inputScale + ")";
        }
    }

    static Tensor gaussian(Random r, Shape shape, float scale) {
        float[] data = new float[Tensor.checkedNumel("test tensor", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian() * scale;
        }
        return new Tensor(shape, data);
    }
}

package org.clconv;

/**
 * The test oracle: conv2d straight from PyTorch's definition, in float64. Deliberately naive and independent
 * of the backends: it materialises the padded input the way {@code F.pad} does (with its own index rules for
 * each padding mode) and then runs the 7-deep loop with no padding.
 */
public final class Reference {
    private Reference() {
    }

    /** The exact (float64) result of {@code layer} on {@code input}, NCHW. */
    public static double[] conv2d(ConvLayer layer, Tensor input) {
        Conv2d c = layer.spec();
        int n = input.dim(0);
        int cin = input.dim(1);
        int h = input.dim(2);
        int w = input.dim(3);
        int pt = c.padTop();
        int pb = c.padBottom();
        int pl = c.padLeft();
        int pr = c.padRight();
        int hp = h + pt + pb;
        int wp = w + pl + pr;
        double[] padded = new double[n * cin * hp * wp];
        float[] x = input.data();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < cin; ch++) {
                for (int i = 0; i < hp; i++) {
                    int si = source(c.paddingMode(), i - pt, h);
                    for (int j = 0; j < wp; j++) {
                        int sj = source(c.paddingMode(), j - pl, w);
                        double v = (si < 0 || sj < 0) ? 0.0 : x[((b * cin + ch) * h + si) * w + sj];
                        padded[((b * cin + ch) * hp + i) * wp + j] = v;
                    }
                }
            }
        }
        int kh = c.kernelH();
        int kw = c.kernelW();
        int oh = (hp - c.dilationH() * (kh - 1) - 1) / c.strideH() + 1;
        int ow = (wp - c.dilationW() * (kw - 1) - 1) / c.strideW() + 1;
        int cout = c.outChannels();
        int cinG = cin / c.groups();
        int coutG = cout / c.groups();
        float[] wt = layer.weight().data();
        float[] bias = layer.bias() == null ? null : layer.bias().data();
        double[] out = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < cout; o++) {
                int g = o / coutG;
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = bias == null ? 0.0 : bias[o];
                        for (int ci = 0; ci < cinG; ci++) {
                            int inCh = g * cinG + ci;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = y * c.strideH() + ky * c.dilationH();
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = xx * c.strideW() + kx * c.dilationW();
                                    acc += padded[((b * cin + inCh) * hp + iy) * wp + ix]
                                            * (double) wt[((o * cinG + ci) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        out[((b * cout + o) * oh + y) * ow + xx] = activate(c.activation(), acc);
                    }
                }
            }
        }
        return out;
    }

    /** Depthwise then pointwise, each exact, with the intermediate rounded to float32 as a backend stores it. */
    public static double[] separable(SeparableBlock block, Tensor input) {
        double[] mid = conv2d(block.depthwise(), input);
        Shape midShape = block.depthwise().bind(input.shape()).outputShape();
        float[] midF = new float[mid.length];
        for (int i = 0; i < mid.length; i++) {
            midF[i] = (float) mid[i];
        }
        return conv2d(block.pointwise(), new Tensor(midShape, midF));
    }

    /** Index into the unpadded input for padded coordinate i (may be negative), or -1 for a zero. */
    private static int source(PaddingMode mode, int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        switch (mode) {
            case ZEROS:
                return -1;
            case REPLICATE:
                return Math.min(Math.max(i, 0), size - 1);
            case REFLECT: {
                // reflect about the first and last element: ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
                int period = 2 * (size - 1);
                int m = Math.floorMod(i, period == 0 ? 1 : period);
                return m < size ? m : period - m;
            }
            case CIRCULAR:
                return Math.floorMod(i, size);
            default:
                throw new AssertionError(mode);
        }
    }

    private static double activate(Activation a, double v) {
        switch (a) {
            case RELU:
                return Double.isNaN(v) ? v : Math.max(v, 0.0);
            case RELU6:
                return Double.isNaN(v) ? v : Math.min(Math.max(v, 0.0), 6.0);
            default:
                return v;
        }
    }

    /** ||a - b||_2 / ||b||_2 (0 when both are zero). */
    public static double relativeL2(float[] actual, double[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}

package org.clconv.cpu;

import static org.clconv.cpu.PathRuns.layer;
import static org.clconv.cpu.PathRuns.random;
import static org.clconv.cpu.PathRuns.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The 3x3 fast paths (stride 1, and stride 2) on the vector kernels against the same path on the plain-Java ones
 * (the same floats, bit for bit) and against the float64 reference, at every plane width around the vector length
 * (flat runs, four-row groups, moved-back last vectors, planes smaller than a vector), every dilation, row blocks
 * split over threads and planes touching the ends of the input array.
 */
class Depthwise3x3ConvolutionTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void shutDown() {
        POOL.close();
    }

    @Test
    void vectorKernelsMatchThePlainOnesBitForBitAndTheReference() {
        ParallelRunner runner = new ParallelRunner(POOL);
        ConvPath fast = new Depthwise3x3Convolution(runner, MicroKernels.best());
        ConvPath plain = new Depthwise3x3Convolution(runner, new ScalarMicroKernels());
        Random rnd = new Random(3);
        int cases = 0;
        for (int width : new int[] {1, 2, 3, 5, 7, 8, 13, 14, 15, 16, 17, 28, 31, 32, 33, 47, 56}) {
            // 75 rows: units at a plane's edge take its middle rows in place (wide rows) or copy them (narrow)
            for (int height : new int[] {1, 2, 4, 7, 9, 17, 30, 75}) {
                for (int dil = 1; dil <= 3; dil++) {
                    int multiplier = 1 + rnd.nextInt(2);
                    int channels = 1 + rnd.nextInt(3);
                    Conv2d spec = Conv2d.depthwise(channels, multiplier, 3, 3).padding(dil).dilation(dil)
                            .bias(rnd.nextBoolean())
                            .activation(Activation.values()[rnd.nextInt(Activation.values().length)]).build();
                    assertTrue(Depthwise3x3Convolution.accepts(spec), spec.toString());
                    check(spec, Shape.of(1 + rnd.nextInt(2), channels, height, width), fast, plain, rnd);
                    cases++;
                }
            }
        }
        assertTrue(cases > 300, "cases: " + cases);
    }

    /**
     * The vector kernels mask a row's outer columns by adding +0.0 where the scalar ones add nothing: the same float
     * unless the sum were -0.0. Here every bias is -0.0, weights and inputs are signed zeros and a few infinities
     * and NaNs among ordinary values, on widths whose rows take the flat run's whole periods (28, 56, 112) and
     * others: still the plain kernels' floats, bit for bit (signed zeros included).
     */
    @Test
    void signedZerosAndNonFiniteInputsGiveThePlainKernelsFloats() {
        ParallelRunner runner = new ParallelRunner(POOL);
        ConvPath fast = new Depthwise3x3Convolution(runner, MicroKernels.best());
        ConvPath plain = new Depthwise3x3Convolution(runner, new ScalarMicroKernels());
        Random rnd = new Random(41);
        float[] values = {0f, -0f, 0f, -0f, 1.5f, -2f, 0.25f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN};
        for (int width : new int[] {9, 28, 31, 56, 112}) {
            for (int dil = 1; dil <= 2; dil++) {
                int channels = 3;
                Conv2d spec = Conv2d.depthwise(channels, 1, 3, 3).padding(dil).dilation(dil).build();
                float[] w = new float[channels * 9];
                for (int i = 0; i < w.length; i++) {
                    w[i] = values[rnd.nextInt(7)];
                }
                float[] bias = new float[channels];
                Arrays.fill(bias, -0f);
                ConvLayer layer = new ConvLayer(spec, new Tensor(spec.weightShape(), w),
                        new Tensor(Shape.of(channels), bias));
                Shape shape = Shape.of(1, channels, 12, width);
                float[] x = new float[channels * 12 * width];
                for (int i = 0; i < x.length; i++) {
                    // mostly signed zeros, so that many sums are zeros of either sign
                    x[i] = rnd.nextInt(8) == 0 ? values[4 + rnd.nextInt(6)] : values[rnd.nextInt(4)];
                }
                Tensor input = new Tensor(shape, x);
                assertArrayEquals(run(plain, layer, input), run(fast, layer, input), spec + " on " + shape);
            }
        }
    }

    /**
     * Stride 2 at both parities of width and height (an odd width's last output has its right tap on the padding,
     * an odd height's last row its bottom one), widths around one and two vectors of outputs (moved-back last
     * vectors, rows of plain loops), rows split over threads, and even heights, whose last plane's last row ends
     * the input array (the kernel may read the float after it, so there it reads a copy).
     */
    @Test
    void stride2VectorKernelsMatchThePlainOnesBitForBitAndTheReference() {
        ParallelRunner runner = new ParallelRunner(POOL);
        ConvPath fast = new Depthwise3x3Stride2Convolution(runner, MicroKernels.best());
        ConvPath plain = new Depthwise3x3Stride2Convolution(runner, new ScalarMicroKernels());
        Random rnd = new Random(11);
        int cases = 0;
        for (int width : new int[] {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 34, 47, 48, 56, 57, 112, 113}) {
            for (int height : new int[] {1, 2, 3, 4, 5, 8, 15, 16, 30}) {
                int multiplier = 1 + rnd.nextInt(2);
                int channels = 1 + rnd.nextInt(3);
                Conv2d spec = Conv2d.depthwise(channels, multiplier, 3, 3).stride(2).padding(1)
                        .bias(rnd.nextBoolean())
                        .activation(Activation.values()[rnd.nextInt(Activation.values().length)]).build();
                assertTrue(Depthwise3x3Stride2Convolution.accepts(spec), spec.toString());
                check(spec, Shape.of(1 + rnd.nextInt(2), channels, height, width), fast, plain, rnd);
                cases++;
            }
        }
        assertTrue(cases > 150, "cases: " + cases);
    }

    /** Only its own form: not dilated, not another stride, kernel or padding. */
    @Test
    void stride2PathTakesOnlyItsOwnForm() {
        assertFalse(Depthwise3x3Stride2Convolution.accepts(Conv2d.depthwise(4, 1, 3, 3).stride(2).padding(2)
                .dilation(2).build()));
        assertFalse(Depthwise3x3Stride2Convolution.accepts(Conv2d.depthwise(4, 1, 3, 3).stride(2, 1).padding(1)
                .build()));
        assertFalse(Depthwise3x3Stride2Convolution.accepts(Conv2d.depthwise(4, 1, 3, 3).stride(2).padding(0, 1)
                .build()));
        assertFalse(Depthwise3x3Stride2Convolution.accepts(Conv2d.depthwise(4, 1, 5, 5).stride(2).padding(1)
                .build()));
        assertFalse(Depthwise3x3Stride2Convolution.accepts(Conv2d.builder(4, 4, 3).stride(2).padding(1).build()));
    }

    /**
     * Layers of many small planes (rows of at most a vector) go through whole-plane runs that read the rows around
     * each plane in place, rows of more than half a vector four rows at a time: each plane must come out bit for bit
     * as it does alone (one plane: the unit path, over a zero-padded copy of its rows), with the images' first and
     * last planes, the filters wrapping at each image's end and a channel multiplier of 2 (which stays on the unit
     * path) among them.
     */
    @Test
    void wholePlaneRunsGiveEachPlaneWhatItGetsAlone() {
        ParallelRunner runner = new ParallelRunner(POOL);
        Random rnd = new Random(7);
        for (MicroKernels kernels : new MicroKernels[] {MicroKernels.best(), new ScalarMicroKernels()}) {
            ConvPath path = new Depthwise3x3Convolution(runner, kernels);
            for (int width = 1; width <= 16; width++) {
                for (int height : new int[] {1, 2, 3, 5, 7, 8, 9, 14}) {
                    int dil = 1 + rnd.nextInt(3);
                    int multiplier = rnd.nextInt(4) == 0 ? 2 : 1;
                    int channels = 24 + rnd.nextInt(20);
                    Conv2d spec = Conv2d.depthwise(channels, multiplier, 3, 3).padding(dil).dilation(dil)
                            .bias(rnd.nextBoolean())
                            .activation(Activation.values()[rnd.nextInt(Activation.values().length)]).build();
                    ConvLayer layer = layer(spec, rnd);
                    Tensor input = random(rnd, Shape.of(1 + rnd.nextInt(3), channels, height, width));
                    float[] whole = run(path, layer, input);
                    String what = spec + " on " + input.shape();
                    assertArrayEquals(planeByPlane(path, layer, input), whole, what);
                    double error = Reference.relativeL2(whole, Reference.conv2d(layer, input));
                    assertTrue(error <= 1e-5, what + ": relative L2 " + error);
                }
            }
        }
    }

    /** Each output plane computed on its own: a one-channel layer with that plane's filter and bias. */
    private static float[] planeByPlane(ConvPath path, ConvLayer layer, Tensor input) {
        Conv2d spec = layer.spec();
        Shape s = input.shape();
        int n = s.dim(2) * s.dim(3);
        Conv2d single = Conv2d.depthwise(1, 1, 3, 3).padding(spec.dilationH()).dilation(spec.dilationH())
                .bias(spec.hasBias()).activation(spec.activation()).build();
        int outChannels = spec.outChannels();
        float[] result = new float[s.dim(0) * outChannels * n];
        for (int plane = 0; plane < s.dim(0) * outChannels; plane++) {
            int channel = plane % outChannels;
            int inPlane = plane / outChannels * spec.inChannels() + channel / spec.channelMultiplier();
            float[] w = Arrays.copyOfRange(layer.weight().data(), channel * 9, channel * 9 + 9);
            Tensor bias = spec.hasBias() ? new Tensor(Shape.of(1), new float[] {layer.bias().data()[channel]}) : null;
            ConvLayer one = new ConvLayer(single, new Tensor(single.weightShape(), w), bias);
            float[] x = Arrays.copyOfRange(input.data(), inPlane * n, inPlane * n + n);
            float[] y = run(path, one, new Tensor(Shape.of(1, 1, s.dim(2), s.dim(3)), x));
            System.arraycopy(y, 0, result, plane * n, n);
        }
        return result;
    }

    /**
     * Infinities and NaNs at a row's ends must reach exactly the outputs they reach in the general path (which
     * reads a zero-padded copy): not the outputs of the neighbouring row, whose masked taps would read them.
     */
    @Test
    void nonFiniteInputsReachTheOutputsTheyReachInTheGeneralPath() {
        ParallelRunner runner = new ParallelRunner(POOL);
        MicroKernels kernels = MicroKernels.best();
        Random rnd = new Random(5);
        for (int width : new int[] {7, 14, 16, 28}) {
            // 4 channels: planes cut into row blocks; 40: whole planes (and runs of them for 7- and 14-float rows)
            int channels = width == 7 || width == 14 ? 40 : 4;
            Conv2d spec = Conv2d.depthwise(channels, 1, 3, 3).padding(1).bias(true).build();
            Shape shape = Shape.of(2, channels, 9, width);
            Tensor input = random(rnd, shape);
            for (int i = 0; i < input.data().length; i += 5) {
                input.data()[i] = i % 3 == 0 ? Float.NaN : (i % 3 == 1 ? Float.POSITIVE_INFINITY
                        : Float.NEGATIVE_INFINITY);
            }
            ConvLayer layer = layer(spec, rnd);
            // equal bits (the same NaN or infinity) or within rounding of the other sum order
            assertArrayEquals(run(new DepthwiseConvolution(runner, kernels), layer, input),
                    run(new Depthwise3x3Convolution(runner, kernels), layer, input), 1e-4f, "width " + width);
            Conv2d strided = Conv2d.depthwise(channels, 1, 3, 3).stride(2).padding(1).bias(true).build();
            ConvLayer stridedLayer = new ConvLayer(strided, layer.weight(), layer.bias());
            assertArrayEquals(run(new DepthwiseConvolution(runner, kernels), stridedLayer, input),
                    run(new Depthwise3x3Stride2Convolution(runner, kernels), stridedLayer, input), 1e-4f,
                    "stride 2, width " + width);
        }
    }

    private static void check(Conv2d spec, Shape shape, ConvPath fast, ConvPath plain, Random rnd) {
        ConvLayer layer = layer(spec, rnd);
        Tensor input = random(rnd, shape);
        float[] actual = run(fast, layer, input);
        assertArrayEquals(run(plain, layer, input), actual, spec + " on " + shape);
        double error = Reference.relativeL2(actual, Reference.conv2d(layer, input));
        assertTrue(error <= 1e-5, spec + " on " + shape + ": relative L2 " + error);
    }
}

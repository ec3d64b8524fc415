package org.clconv.cpu;

import static org.clconv.cpu.PathRuns.layer;
import static org.clconv.cpu.PathRuns.random;
import static org.clconv.cpu.PathRuns.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(4x4, 3x3) against the float64 reference, the vector kernels against the plain ones and the steps
 * over all tiles against runs of tiles (bit for bit), at every output width and height modulo 4 (a last tile with
 * one to four columns or rows), every padding up to 2 on each side, groups, bias and activations; and its fallback
 * to a direct path where outputs come out non-finite.
 */
class WinogradConvolutionTest {
    private static final WorkerPool POOL = new WorkerPool(2);
    private static final ParallelRunner RUNNER = new ParallelRunner(POOL);
    /** One thread: its units are always runs of tiles, where three threads take these small layers in steps. */
    private static final WorkerPool SOLO_POOL = new WorkerPool(0);
    /** The path on the vector kernels (where the JVM has them) and on the plain ones. */
    private static final WinogradConvolution FAST = path(RUNNER, MicroKernels.best());
    private static final WinogradConvolution PLAIN = path(RUNNER, new ScalarMicroKernels());
    private static final WinogradConvolution FAST_IN_RUNS = path(new ParallelRunner(SOLO_POOL), MicroKernels.best());

    @AfterAll
    static void shutDown() {
        POOL.close();
        SOLO_POOL.close();
    }

    @Test
    void matchesTheReferenceAndThePlainKernelsBitForBit() {
        Random rnd = new Random(17);
        int cases = 0;
        for (int width : new int[] {18, 19, 32, 62, 63, 64, 65, 70, 97}) {
            for (int height : new int[] {4, 5, 7, 13, 14}) {
                int groups = 1 + rnd.nextInt(2);
                int cin = groups * (16 + rnd.nextInt(9));
                int cout = groups * (16 + rnd.nextInt(11));
                Padding padding = Padding.of(rnd.nextInt(3), rnd.nextInt(3));
                Conv2d spec = Conv2d.builder(cin, cout, 3).padding(padding).groups(groups).bias(rnd.nextBoolean())
                        .activation(Activation.values()[rnd.nextInt(Activation.values().length)]).build();
                ConvLayer layer = layer(spec, rnd);
                Tensor input = random(rnd, Shape.of(1 + rnd.nextInt(2), cin, height, width));
                assertTrue(FAST.suits(layer, layer.bind(input.shape())), spec + " on " + input.shape());
                assertMatches(layer, input);
                cases++;
            }
        }
        assertTrue(cases >= 30, "cases: " + cases);
    }

    /**
     * Many channels make units of a few register tiles (16 tiles here) that start and end inside tile rows (19
     * tiles a row, with an odd last column), the vector transforms then running over parts of rows (on one thread;
     * on three, these two units go in steps over all tiles).
     */
    @Test
    void unitsThatCrossTileRowsMatchTheReference() {
        Random rnd = new Random(29);
        Conv2d spec = Conv2d.builder(192, 160, 3).padding(1).bias(true).activation(Activation.RELU6).build();
        ConvLayer layer = layer(spec, rnd);
        Tensor input = random(rnd, Shape.of(1, 192, 9, 37));
        assertMatches(layer, input);
    }

    /**
     * Units (one per layer here) of 20, 17 and 49 tiles: a few past whole register tiles of 16 (AVX2) or 48
     * (AVX-512), which go through the GEMM's column-by-column tail from zero sums like the rest.
     */
    @Test
    void narrowTailsOfTilesMatchTheReference() {
        Random rnd = new Random(37);
        for (int[] hw : new int[][] {{16, 20}, {4, 68}, {28, 28}}) {
            Conv2d spec = Conv2d.builder(24, 40, 3).padding(1).bias(true).build();
            assertMatches(layer(spec, rnd), random(rnd, Shape.of(1, 24, hw[0], hw[1])));
        }
    }

    /**
     * Dilated layers through the phase mosaic: dilations different per axis, paddings from none to past the
     * dilation (so that neighbouring blocks share a padding zero or not), a few outputs per phase, groups.
     */
    @Test
    void dilatedLayersMatchTheReferenceAndThePlainKernelsBitForBit() {
        Random rnd = new Random(31);
        int[][] dilations = {{2, 2}, {3, 1}, {1, 4}, {6, 6}, {5, 2}};
        for (int[] d : dilations) {
            for (int trial = 0; trial < 3; trial++) {
                Padding padding = trial == 0 ? Padding.same()
                        : Padding.of(rnd.nextInt(d[0] + 2), rnd.nextInt(d[1] + 2));
                int groups = 1 + trial % 2;
                int cin = groups * (16 + rnd.nextInt(9));
                int cout = groups * (16 + rnd.nextInt(11));
                Conv2d spec = Conv2d.builder(cin, cout, 3).padding(padding).dilation(d[0], d[1]).groups(groups)
                        .bias(rnd.nextBoolean()).activation(Activation.values()[trial % Activation.values().length])
                        .build();
                ConvLayer layer = layer(spec, rnd);
                Tensor input = random(rnd, Shape.of(1 + rnd.nextInt(2), cin, 2 * d[0] + 3 + rnd.nextInt(20),
                        2 * d[1] + 3 + rnd.nextInt(30)));
                assertMatches(layer, input);
            }
        }
    }

    /**
     * An infinity in the input gives infinities in a direct convolution and can give NaN through the transforms
     * (infinity minus infinity): such a layer is computed again by the direct path, so the floats are its floats;
     * also through the mosaic of a dilated layer, whose junk outputs are not checked, and on a 12x12 map, whose
     * rows of 3 tiles (narrower than a vector of tiles at any width) are copied out whole.
     */
    @Test
    void nonFiniteOutputsAreComputedByTheDirectPath() {
        MicroKernels kernels = MicroKernels.best();
        PackedWeightCache weights = new PackedWeightCache();
        PaddedInputConvolution padded = new PaddedInputConvolution(RUNNER, weights, kernels);
        ImplicitGemmConvolution general = new ImplicitGemmConvolution(RUNNER, weights, kernels);
        WinogradConvolution winograd = new WinogradConvolution(RUNNER, weights, kernels, padded, general);
        Random rnd = new Random(19);
        Conv2d spec = Conv2d.builder(32, 32, 3).padding(1).bias(true).build();
        ConvLayer layer = layer(spec, rnd);
        Tensor input = random(rnd, Shape.of(1, 32, 9, 70));
        input.data()[5 * 70 + 33] = Float.POSITIVE_INFINITY;
        input.data()[70 * 9 * 3 + 2 * 70 + 10] = Float.NEGATIVE_INFINITY;
        input.data()[70 * 9 * 7 + 4 * 70 + 60] = Float.NaN;
        ConvLayer dilated = layer(Conv2d.builder(32, 32, 3).padding(3).dilation(3).build(), rnd);
        Tensor small = random(rnd, Shape.of(1, 32, 12, 12));
        small.data()[12 * 12 * 9 + 5 * 12 + 7] = Float.POSITIVE_INFINITY;
        small.data()[12 * 12 * 20 + 11 * 12] = Float.NaN;
        ConvLayer[] layers = {layer, dilated, layer};
        Tensor[] inputs = {input, input, small};
        for (int i = 0; i < layers.length; i++) {
            ConvLayer l = layers[i];
            ConvGeometry g = l.bind(inputs[i].shape());
            String what = l.spec() + " on " + inputs[i].shape();
            assertTrue(winograd.suits(l, g), what);
            ConvPath direct = padded.suits(l, g) ? padded : general;
            assertArrayEquals(run(direct, l, inputs[i]), run(winograd, l, inputs[i]), what);
        }
    }

    /** Layers it must leave to other paths: other forms, few channels, narrow maps, non-finite weights. */
    @Test
    void takesOnlyLayersItSuits() {
        Random rnd = new Random(23);
        Shape shape = Shape.of(1, 32, 20, 64);
        assertTrue(suits(Conv2d.builder(32, 32, 3).padding(1).build(), shape, rnd));
        assertFalse(suits(Conv2d.builder(32, 32, 3).padding(1).stride(2).build(), shape, rnd));
        // dilated: through the mosaic where it costs well under the implicit GEMM's columns (dilation 2 on 20x64;
        // 6 on 33x33: 0.46 of them), not where its junk outputs and transforms take back what the skipped padding
        // taps save (12 there: 0.74 of the columns, about the same time; 18: 1.44)
        assertTrue(suits(Conv2d.builder(32, 32, 3).padding(2).dilation(2).build(), shape, rnd));
        Shape aspp = Shape.of(1, 256, 33, 33);
        assertTrue(suits(Conv2d.builder(256, 256, 3).padding(6).dilation(6).build(), aspp, rnd));
        assertFalse(suits(Conv2d.builder(256, 256, 3).padding(12).dilation(12).build(), aspp, rnd));
        assertFalse(suits(Conv2d.builder(256, 256, 3).padding(18).dilation(18).build(), aspp, rnd));
        assertFalse(suits(Conv2d.builder(32, 32, 3).padding(2).dilation(2).stride(2).build(), shape, rnd));
        assertFalse(suits(Conv2d.builder(32, 32, 3).padding(3).build(), shape, rnd));
        assertFalse(suits(Conv2d.builder(32, 32, 5).padding(2).build(), shape, rnd));
        assertFalse(suits(Conv2d.builder(32, 8, 3).padding(1).build(), shape, rnd));
        assertFalse(suits(Conv2d.builder(32, 32, 3).padding(1).build(), Shape.of(1, 32, 20, 8), rnd));
        Conv2d spec = Conv2d.builder(32, 32, 3).padding(1).build();
        ConvLayer infinite = layer(spec, rnd);
        infinite.weight().data()[7] = Float.POSITIVE_INFINITY;
        assertFalse(FAST.suits(infinite, infinite.bind(shape)));
        try (CpuBackend cpu = new CpuBackend(1)) {
            ConvLayer resnet = layer(Conv2d.builder(64, 64, 3).padding(1).build(), rnd);
            assertInstanceOf(WinogradConvolution.class, cpu.pathFor(resnet, resnet.bind(Shape.of(1, 64, 56, 56))));
        }
    }

    /**
     * The vector kernels' floats are the plain ones', and the same in runs of tiles on one thread; close to the
     * float64 reference.
     */
    private static void assertMatches(ConvLayer layer, Tensor input) {
        String what = layer.spec() + " on " + input.shape();
        float[] actual = run(FAST, layer, input);
        assertArrayEquals(run(PLAIN, layer, input), actual, what);
        assertArrayEquals(run(FAST_IN_RUNS, layer, input), actual, what + " in runs of tiles");
        double error = Reference.relativeL2(actual, Reference.conv2d(layer, input));
        assertTrue(error <= 1e-5, what + ": relative L2 " + error);
    }

    private static boolean suits(Conv2d spec, Shape shape, Random rnd) {
        ConvLayer layer = layer(spec, rnd);
        return FAST.suits(layer, layer.bind(shape));
    }

    private static WinogradConvolution path(ParallelRunner runner, MicroKernels kernels) {
        PackedWeightCache weights = new PackedWeightCache();
        return new WinogradConvolution(runner, weights, kernels, new PaddedInputConvolution(runner, weights, kernels),
                new ImplicitGemmConvolution(runner, weights, kernels));
    }
}

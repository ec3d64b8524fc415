package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.clconv.Activation;
import org.clconv.Agreement;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The padded-input GEMM: which layers it takes, and its outputs against the float64 reference for every form it
 * takes (kernels, dilations, padding modes and forms, groups, batch, bias, activations), on both kernel
 * implementations and split over the pool.
 */
class PaddedInputConvolutionTest {
    private final Random rnd = new Random(7);

    private record Case(String name, Conv2d spec, Shape input) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("3x3 pad 1, batch 2, bias, relu", Conv2d.builder(32, 10, 3).padding(1).bias(true)
                        .activation(Activation.RELU).build(), Shape.of(2, 32, 30, 29)),
                new Case("3x3 dilation 2, two groups of 32", Conv2d.builder(64, 18, 3).groups(2).dilation(2)
                        .padding(2).build(), Shape.of(1, 64, 50, 56)),
                new Case("5x3 dilation (1, 2), same, reflect", Conv2d.builder(32, 8, 5, 3).dilation(1, 2)
                        .padding(Padding.same()).paddingMode(PaddingMode.REFLECT).bias(true).build(),
                        Shape.of(1, 32, 24, 40)),
                new Case("3x3 replicate, relu6", Conv2d.builder(40, 9, 3).padding(1)
                        .paddingMode(PaddingMode.REPLICATE).activation(Activation.RELU6).build(),
                        Shape.of(1, 40, 20, 30)),
                new Case("3x3 circular", Conv2d.builder(33, 7, 3).padding(1).paddingMode(PaddingMode.CIRCULAR)
                        .build(), Shape.of(1, 33, 21, 31)),
                new Case("4x4 same (asymmetric padding)", Conv2d.builder(32, 11, 4).padding(Padding.same())
                        .bias(true).build(), Shape.of(1, 32, 40, 48)),
                new Case("1x1 with padding: border outputs are the bias", Conv2d.builder(32, 8, 1).padding(1)
                        .bias(true).build(), Shape.of(1, 32, 30, 30)),
                new Case("3x3 valid", Conv2d.builder(32, 15, 3).padding(Padding.valid()).build(),
                        Shape.of(1, 32, 33, 37)));
    }

    static Stream<MicroKernels> kernels() {
        return Stream.of(new ScalarMicroKernels(), MicroKernels.best());
    }

    static Stream<Object[]> casesOnKernels() {
        return kernels().flatMap(k -> cases().stream().map(c -> new Object[] {k, c}));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("casesOnKernels")
    void matchesTheReference(MicroKernels kernels, Case c) {
        ConvLayer layer = layer(c.spec);
        Tensor input = random(c.input);
        // NaNs at a corner and inside: the grid columns past each row read them too, and must not be stored
        input.data()[0] = Float.NaN;
        input.data()[c.input.dim(2) * c.input.dim(3) + 2 * c.input.dim(3) + 5] = Float.NaN;
        try (CpuBackend cpu = new CpuBackend(2, kernels)) {
            ConvGeometry g = layer.bind(input.shape());
            assertInstanceOf(PaddedInputConvolution.class, cpu.pathFor(layer, g), c.name);
            String mismatch = Agreement.mismatch(cpu.conv2d(layer, input), g.outputShape(),
                    Reference.conv2d(layer, input), Agreement.termMagnitude(layer, input));
            assertNull(mismatch, c.name);
        }
    }

    @Test
    void takesStrideOneLayersWithManyChannelsAndLittleExtraWork() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Shape map = Shape.of(1, 64, 56, 56);
            // (a ResNet 3x3 layer goes to Winograd F(4x4, 3x3) first; with 8 outputs, too few for it, it comes here)
            assertTrue(suits(cpu, layer(Conv2d.builder(64, 8, 3).padding(1).build()), map), "a ResNet-like 3x3 layer");
            assertFalse(suits(cpu, layer(Conv2d.builder(64, 64, 3).padding(1).stride(2).build()), map), "stride 2");
            assertFalse(suits(cpu, layer(Conv2d.builder(16, 64, 3).padding(1).build()), Shape.of(1, 16, 56, 56)),
                    "too few input channels per tap GEMM");
            // the implicit GEMM's border regions of a 7x7 map are tiles of 1 and 5 columns, each rounded up to a
            // whole vector: more work than the 9x7 grid, dropped columns and padding taps included
            assertTrue(suits(cpu, layer(Conv2d.builder(64, 64, 3).padding(1).build()), Shape.of(1, 64, 7, 7)),
                    "a 7x7 map");
            assertFalse(suits(cpu, layer(Conv2d.builder(256, 16, 3).padding(6).dilation(6).build()),
                    Shape.of(1, 256, 33, 33)), "a dilated ASPP layer: the implicit GEMM skips its padding taps");
        }
    }

    @Test
    void leavesAnImageWhosePaddedCopyPassesTheArrayLimitToTheImplicitGemm() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            // 32 x 8190 x 8190 floats fit one array; padded to 8192 x 8192 they would not
            assertFalse(suits(cpu, layer(Conv2d.builder(32, 4, 3).padding(1).build()), Shape.of(1, 32, 8190, 8190)));
        }
    }

    @Test
    void leavesInfiniteWeightsUnderZeroPaddingToThePathThatSkipsPaddingTaps() {
        Conv2d spec = Conv2d.builder(32, 4, 3).padding(1).build();
        Shape map = Shape.of(1, 32, 40, 40);
        try (CpuBackend cpu = new CpuBackend(1)) {
            ConvLayer infinite = layer(spec);
            infinite.weight().data()[5] = Float.POSITIVE_INFINITY;
            assertFalse(suits(cpu, infinite, map), "inf times a padding zero is NaN; a skipped tap adds nothing");
            ConvLayer reflected = layer(Conv2d.builder(32, 4, 3).padding(1).paddingMode(PaddingMode.REFLECT).build());
            reflected.weight().data()[5] = Float.NaN;
            assertTrue(suits(cpu, reflected, map), "without zero padding no tap is skipped anywhere");
        }
    }

    private static boolean suits(CpuBackend cpu, ConvLayer layer, Shape input) {
        return cpu.pathFor(layer, layer.bind(input)) instanceof PaddedInputConvolution;
    }

    private ConvLayer layer(Conv2d spec) {
        return new ConvLayer(spec, random(spec.weightShape()), spec.hasBias() ? random(spec.biasShape()) : null);
    }

    private Tensor random(Shape shape) {
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat() * 2f - 1f;
        }
        return new Tensor(shape, data);
    }
}

package org.clconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every input {@code torch.nn.Conv2d} rejects is rejected here too, up front, with an
 * {@link InvalidConvolutionException} whose message names the parameter and the values; and the limits
 * themselves (reflect pad = size - 1, circular pad = size, kernel = padded input) are accepted.
 */
class ValidationTest {

    /** Asserts the rejection type and that the message mentions each of {@code mentions}. */
    static InvalidConvolutionException rejects(Executable call, String... mentions) {
        InvalidConvolutionException e = assertThrows(InvalidConvolutionException.class, call);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "message '" + e.getMessage() + "' should mention '" + m + "'");
        }
        return e;
    }

    private static Conv2d.Builder conv(int in, int out, int kernel) {
        return Conv2d.builder(in, out, kernel);
    }

    @Nested
    class Spec {
        @Test
        void groupsMustDivideInChannels() {
            rejects(() -> conv(4, 6, 3).groups(3).build(), "groups=3", "in_channels=4");
        }

        @Test
        void groupsMustDivideOutChannels() {
            rejects(() -> conv(6, 4, 3).groups(3).build(), "groups=3", "out_channels=4");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1})
        void channelsMustBePositive(int bad) {
            rejects(() -> conv(bad, 4, 3).build(), "in_channels", "got " + bad);
            rejects(() -> conv(4, bad, 3).build(), "out_channels", "got " + bad);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -2})
        void kernelMustBePositive(int bad) {
            rejects(() -> Conv2d.builder(2, 2, bad, 3).build(), "kernel_size", "(" + bad + ", 3)");
            rejects(() -> Conv2d.builder(2, 2, 3, bad).build(), "kernel_size", "(3, " + bad + ")");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1})
        void strideMustBePositive(int bad) {
            rejects(() -> conv(2, 2, 3).stride(bad, 1).build(), "stride", "(" + bad + ", 1)");
            rejects(() -> conv(2, 2, 3).stride(1, bad).build(), "stride", "(1, " + bad + ")");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -3})
        void dilationMustBePositive(int bad) {
            rejects(() -> conv(2, 2, 3).dilation(bad, 1).build(), "dilation", "(" + bad + ", 1)");
            rejects(() -> conv(2, 2, 3).dilation(1, bad).build(), "dilation", "(1, " + bad + ")");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1})
        void groupsMustBePositive(int bad) {
            rejects(() -> conv(2, 2, 3).groups(bad).build(), "groups", "got " + bad);
        }

        @Test
        void paddingMustBeNonNegative() {
            rejects(() -> Padding.of(-1, 2), "padding", "(-1, 2)");
            rejects(() -> conv(2, 2, 3).padding(0, -3), "padding", "(0, -3)");
            rejects(() -> Padding.parse("-1"), "padding", "(-1, -1)");
        }

        @Test
        void samePaddingNeedsStrideOne() {
            rejects(() -> conv(2, 2, 3).stride(2, 1).padding(Padding.same()).build(), "same", "stride=(2, 1)");
            rejects(() -> conv(2, 2, 3).stride(1, 3).padding(Padding.same()).build(), "same", "stride=(1, 3)");
            assertDoesNotThrow(() -> conv(2, 2, 4).stride(1).padding(Padding.same()).build());
        }

        @Test
        void unknownNamesAreRejected() {
            rejects(() -> PaddingMode.parse("mirror"), "padding_mode", "'mirror'");
            rejects(() -> Activation.parse("gelu"), "activation", "'gelu'");
            rejects(() -> Padding.parse("full"), "padding", "'full'");
        }
    }

    @Nested
    class Binding {
        @Test
        void dilatedKernelMustFitThePaddedInput() {
            Conv2d dilated = conv(1, 1, 3).dilation(4).build();
            rejects(() -> dilated.bind(1, 8, 8), "dilated kernel (9 x 9", "kernel_size=(3, 3)", "dilation=(4, 4)",
                    "(8 x 8");
            assertEquals(1, dilated.bind(1, 9, 9).outH(), "a kernel exactly the input's size fits");
            assertEquals(2, conv(1, 1, 3).dilation(4).padding(1).build().bind(1, 8, 8).outH(), "padding makes room");
            rejects(() -> Conv2d.builder(1, 1, 5, 2).build().bind(1, 4, 4), "(5 x 2", "(4 x 4");
        }

        @Test
        void reflectPadMustBeSmallerThanTheInput() {
            Conv2d rows = conv(1, 1, 3).padding(3, 0).paddingMode(PaddingMode.REFLECT).build();
            rejects(() -> rows.bind(1, 3, 5), "reflect", "height", "(3, 3)", "3");
            assertEquals(Shape.of(1, 1, 8, 3), rows.bind(1, 4, 5).outputShape(), "pad = height - 1 is allowed");
            Conv2d cols = conv(1, 1, 3).padding(0, 2).paddingMode(PaddingMode.REFLECT).build();
            rejects(() -> cols.bind(1, 5, 2), "reflect", "width", "(2, 2)");
            assertDoesNotThrow(() -> cols.bind(1, 5, 3));
        }

        @Test
        void reflectChecksTheLargerOfAsymmetricSamePads() {
            // kernel 4 -> 'same' pads (1, 2): the bottom/right pad of 2 needs an input of at least 3
            Conv2d same = conv(1, 1, 4).padding(Padding.same()).paddingMode(PaddingMode.REFLECT).build();
            rejects(() -> same.bind(1, 2, 5), "reflect", "(1, 2)");
            assertDoesNotThrow(() -> same.bind(1, 3, 3));
        }

        @Test
        void circularPadMustBeAtMostTheInput() {
            Conv2d rows = conv(1, 1, 3).padding(4, 0).paddingMode(PaddingMode.CIRCULAR).build();
            rejects(() -> rows.bind(1, 3, 3), "circular", "height", "(4, 4)", "3");
            assertEquals(Shape.of(1, 1, 10, 3), rows.bind(1, 4, 5).outputShape(), "pad = height is allowed");
            Conv2d cols = conv(1, 1, 1).padding(0, 3).paddingMode(PaddingMode.CIRCULAR).build();
            rejects(() -> cols.bind(1, 1, 2), "circular", "width", "(3, 3)", "2");
            assertDoesNotThrow(() -> cols.bind(1, 1, 3));
        }

        @Test
        void replicateAndZerosAllowAnyPad() {
            assertDoesNotThrow(() -> conv(1, 1, 3).padding(5).paddingMode(PaddingMode.REPLICATE).build().bind(1, 1, 1));
            assertDoesNotThrow(() -> conv(1, 1, 3).padding(5).build().bind(1, 1, 1));
        }

        @Test
        void batchAndSpatialSizesMustBePositive() {
            Conv2d c = conv(1, 1, 1).build();
            rejects(() -> c.bind(0, 8, 8), "N=0");
            rejects(() -> c.bind(1, -1, 8), "H=-1");
            rejects(() -> c.bind(1, 8, 0), "W=0");
        }

        @Test
        void inputMustBeFourDimensional() {
            rejects(() -> conv(3, 4, 3).build().bind(Shape.of(3, 8, 8)), "4-D", "[3, 8, 8]");
            rejects(() -> conv(3, 4, 1).build().bind(Shape.of(1, 3, 8, 8, 1)), "4-D", "rank 5");
        }

        @Test
        void inputChannelsMustMatch() {
            rejects(() -> conv(3, 4, 3).build().bind(Shape.of(1, 5, 8, 8)), "5 channels", "in_channels=3");
        }

        @Test
        void elementCountsMustFitAnInt() {
            // Checked from sizes alone: nothing of this size is ever allocated.
            rejects(() -> conv(1, 1, 1).build().bind(70_000, 70_000, 1), "input", "[70000, 1, 70000, 1]",
                    "elements");
            rejects(() -> conv(1, 65_536, 1).build().bind(1, 128, 256), "output", "[1, 65536, 128, 256]");
            rejects(() -> conv(1, 1, 1).padding(30_000).build().bind(1, 1, 1), "output", "[1, 1, 60001, 60001]");
            rejects(() -> conv(65_536, 65_536, 1).build().bind(1, 1, 1), "weight", "[65536, 65536, 1, 1]");
        }

        @Test
        void outputSideBeyondIntIsRejectedAsTooLargeNotAsNegative() {
            int height = (int) Tensor.MAX_ELEMENTS;
            // The input just fits; padding pushes the output height past Integer.MAX_VALUE.
            rejects(() -> conv(1, 1, 1).padding(10, 0).build().bind(1, height, 1), "output", "height",
                    Long.toString(height + 20L));
        }
    }

    /** Whole tensors that fit can still have planes whose in-plane index arithmetic would wrap: rejected too. */
    @Nested
    class IndexArithmetic {
        private final Conv2d pointwise = conv(1, 1, 1).build();

        @Test
        void paddedSidesBeyondTheLimitAreRejected() {
            int tall = (int) ConvGeometry.MAX_PLANE + 1;
            rejects(() -> pointwise.bind(1, tall, 1), "padded input height", Integer.toString(tall));
            int wide = (int) ConvGeometry.MAX_PLANE - 5;
            rejects(() -> conv(1, 1, 1).padding(0, 10).build().bind(1, 1, wide), "padded input width",
                    Long.toString(wide + 20L));
            // the same input without padding has exactly MAX_PLANE-5 columns: fine
            assertEquals(wide, pointwise.bind(1, 1, wide).outW());
        }

        @Test
        void outputPlanesBeyondTheLimitAreRejected() {
            rejects(() -> pointwise.bind(1, 40_000, 40_000), "output plane 40000 x 40000", "1600000000");
            int side = 1 << 15;
            assertEquals(ConvGeometry.MAX_PLANE, (long) pointwise.bind(1, side, side).outH() * side,
                    "a plane of exactly 2^30 is allowed");
            rejects(() -> conv(1, 1, 1).padding(1, 0).build().bind(1, side, side), "output plane 32770 x 32768");
        }
    }

    @Nested
    class Layers {
        private final Conv2d grouped = conv(4, 6, 3).groups(2).build();

        @Test
        void weightShapeMustMatch() {
            rejects(() -> new ConvLayer(grouped, Tensor.zeros(Shape.of(6, 4, 3, 3)), Tensor.zeros(Shape.of(6))),
                    "weight shape [6, 4, 3, 3]", "[6, 2, 3, 3]");
            rejects(() -> new ConvLayer(grouped, Tensor.zeros(Shape.of(6, 2, 9)), Tensor.zeros(Shape.of(6))),
                    "weight shape [6, 2, 9]");
        }

        @Test
        void biasShapeMustMatch() {
            rejects(() -> new ConvLayer(grouped, Tensor.zeros(Shape.of(6, 2, 3, 3)), Tensor.zeros(Shape.of(5))),
                    "bias shape [5]", "[6]");
            rejects(() -> new ConvLayer(grouped, Tensor.zeros(Shape.of(6, 2, 3, 3)), Tensor.zeros(Shape.of(1, 6))),
                    "bias shape [1, 6]");
        }

        @Test
        void biasMustBePresentExactlyWhenTheSpecHasOne() {
            rejects(() -> new ConvLayer(grouped, Tensor.zeros(Shape.of(6, 2, 3, 3)), null), "bias=true", "[6]");
            Conv2d noBias = grouped.toBuilder().bias(false).build();
            rejects(() -> new ConvLayer(noBias, Tensor.zeros(Shape.of(6, 2, 3, 3)), Tensor.zeros(Shape.of(6))),
                    "bias=false", "[6]");
        }

        @Test
        void tensorDataMustMatchItsShape() {
            rejects(() -> new Tensor(Shape.of(2, 3), new float[5]), "5 elements", "[2, 3]", "6");
            rejects(() -> Shape.of(2, 0, 3), "positive", "[2, 0, 3]");
        }

        @Test
        void separableBlockChecksItsLayers() {
            ConvLayer depthwise = layer(Conv2d.depthwise(3, 2, 3, 3).build());
            rejects(() -> new SeparableBlock(layer(conv(3, 6, 3).build()), layer(Conv2d.pointwise(6, 4).build())),
                    "depthwise", "groups=1", "in_channels=3");
            rejects(() -> new SeparableBlock(depthwise, layer(conv(6, 4, 3).build())), "pointwise",
                    "kernel_size=(3, 3)");
            rejects(() -> new SeparableBlock(depthwise, layer(Conv2d.pointwise(3, 4).build())), "in_channels=3",
                    "out_channels=6");
        }
    }

    /** The same rejections through each backend's entry points, which must check before any work. */
    @Nested
    class ThroughBackends {
        private final ConvLayer layer = layer(conv(3, 4, 3).build());

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void inputShapeIsChecked(String name) {
            ConvBackend backend = TestBackends.get(name);
            rejects(() -> backend.conv2d(layer, Tensor.zeros(Shape.of(1, 5, 8, 8))), "5 channels", "in_channels=3");
            rejects(() -> backend.conv2d(layer, Tensor.zeros(Shape.of(3, 8, 8))), "4-D", "[3, 8, 8]");
            rejects(() -> backend.conv2d(layer, Tensor.zeros(Shape.of(1, 3, 2, 8))), "dilated kernel", "(2 x 8");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void paddingModeLimitsAreChecked(String name) {
            ConvBackend backend = TestBackends.get(name);
            ConvLayer reflect = layer(conv(1, 1, 3).padding(3).paddingMode(PaddingMode.REFLECT).build());
            rejects(() -> backend.conv2d(reflect, Tensor.zeros(Shape.of(1, 1, 3, 3))), "reflect", "(3, 3)");
            ConvLayer circular = layer(conv(1, 1, 3).padding(4).paddingMode(PaddingMode.CIRCULAR).build());
            rejects(() -> backend.conv2d(circular, Tensor.zeros(Shape.of(1, 1, 3, 3))), "circular", "(4, 4)");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void weightsAreCheckedByTheConvenienceEntryPoint(String name) {
            ConvBackend backend = TestBackends.get(name);
            Conv2d spec = conv(3, 4, 3).build();
            Tensor input = Tensor.zeros(Shape.of(1, 3, 8, 8));
            rejects(() -> backend.conv2d(spec, input, Tensor.zeros(Shape.of(4, 3, 2, 3)), Tensor.zeros(Shape.of(4))),
                    "weight shape [4, 3, 2, 3]");
            rejects(() -> backend.conv2d(spec, input, Tensor.zeros(Shape.of(4, 3, 3, 3)), null), "bias=true");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void outputsBeyondIntAreRejectedBeforeAllocating(String name) {
            ConvBackend backend = TestBackends.get(name);
            // Small input and weight; only the output (2^31 elements, 8 GiB) would be too large.
            ConvLayer wide = layer(conv(1, 65_536, 1).build());
            rejects(() -> backend.conv2d(wide, Tensor.zeros(Shape.of(1, 1, 128, 256))), "output", "[1, 65536, 128, 256]");
            ConvLayer padded = layer(conv(1, 1, 1).padding(30_000).build());
            rejects(() -> backend.conv2d(padded, Tensor.zeros(Shape.of(1, 1, 1, 1))), "output", "[1, 1, 60001, 60001]");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void separableInputIsChecked(String name) {
            ConvBackend backend = TestBackends.get(name);
            SeparableBlock block = new SeparableBlock(layer(Conv2d.depthwise(3, 1, 3, 3).build()),
                    layer(Conv2d.pointwise(3, 4).build()));
            rejects(() -> backend.separable(block, Tensor.zeros(Shape.of(1, 2, 8, 8))), "2 channels", "in_channels=3");
            rejects(() -> backend.separable(block, Tensor.zeros(Shape.of(1, 3, 2, 2))), "dilated kernel");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void anOutputTensorMustHaveTheOutputShapeAndItsOwnArray(String name) {
            ConvBackend backend = TestBackends.get(name);
            Tensor input = Tensor.zeros(Shape.of(1, 3, 8, 8));
            rejects(() -> backend.conv2d(layer, input, Tensor.zeros(Shape.of(1, 4, 8, 8))), "output shape",
                    "[1, 4, 6, 6]", "got [1, 4, 8, 8]");
            ConvLayer same = layer(Conv2d.depthwise(3, 1, 3, 3).padding(1).build());
            rejects(() -> backend.conv2d(same, input, input), "output must not share its array with the input");
            SeparableBlock block = new SeparableBlock(same, layer(Conv2d.pointwise(3, 3).build()));
            rejects(() -> backend.separable(block, input, Tensor.zeros(Shape.of(1, 4, 8, 8))), "output shape",
                    "[1, 3, 8, 8]");
            rejects(() -> backend.separable(block, input, input), "must not share");
        }

        /** Every element is overwritten (the output starts as NaN) with what the allocating call returns. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void intoAnOutputTensorGivesTheAllocatingCallsResult(String name) {
            ConvBackend backend = TestBackends.get(name);
            Tensor input = RandomConvs.gaussian(new Random(9), Shape.of(2, 3, 9, 7), 1f);
            Tensor output = Tensor.zeros(Shape.of(2, 4, 7, 5));
            Arrays.fill(output.data(), Float.NaN);
            assertSame(output, backend.conv2d(layer, input, output));
            assertArrayEquals(backend.conv2d(layer, input).data(), output.data());
            SeparableBlock block = new SeparableBlock(layer(Conv2d.depthwise(3, 2, 3, 3).padding(1).build()),
                    layer(Conv2d.pointwise(6, 4).build()));
            Tensor blockOutput = Tensor.zeros(Shape.of(2, 4, 9, 7));
            Arrays.fill(blockOutput.data(), Float.NaN);
            assertSame(blockOutput, backend.separable(block, input, blockOutput));
            assertArrayEquals(backend.separable(block, input).data(), blockOutput.data());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.clconv.TestBackends#names")
        void backendStaysUsableAfterARejection(String name) {
            ConvBackend backend = TestBackends.get(name);
            rejects(() -> backend.conv2d(layer, Tensor.zeros(Shape.of(1, 5, 8, 8))));
            Tensor input = RandomConvs.gaussian(new Random(7), Shape.of(2, 3, 8, 8), 1f);
            assertNull(Agreement.mismatch(backend.conv2d(layer, input), Shape.of(2, 4, 6, 6),
                    Reference.conv2d(layer, input)));
        }
    }

    /** A layer with random weights (and a bias when the spec has one). */
    static ConvLayer layer(Conv2d spec) {
        Random r = new Random(spec.hashCode());
        return new ConvLayer(spec, RandomConvs.gaussian(r, spec.weightShape(), 0.3f),
                spec.hasBias() ? RandomConvs.gaussian(r, spec.biasShape(), 0.3f) : null);
    }
}

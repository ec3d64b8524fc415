package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Reference;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;

/** Path selection, thread safety, determinism, caching and lifecycle of the CPU backend. */
class CpuBackendTest {
    private final Random rnd = new Random(42);

    @Test
    void picksThePathFromTheSpec() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            assertInstanceOf(DepthwiseConvolution.class, cpu.pathFor(Conv2d.depthwise(8, 2, 3, 3).build()));
            assertInstanceOf(Depthwise3x3Convolution.class,
                    cpu.pathFor(Conv2d.depthwise(8, 2, 3, 3).padding(1).build()));
            assertInstanceOf(Depthwise3x3Convolution.class,
                    cpu.pathFor(Conv2d.depthwise(8, 1, 3, 3).dilation(2).padding(Padding.same()).build()));
            assertInstanceOf(DepthwiseConvolution.class,
                    cpu.pathFor(Conv2d.depthwise(8, 1, 3, 3).padding(1).paddingMode(PaddingMode.REFLECT).build()),
                    "only zero padding is a mask");
            assertInstanceOf(Depthwise3x3Stride2Convolution.class,
                    cpu.pathFor(Conv2d.depthwise(8, 2, 3, 3).padding(1).stride(2).build()));
            assertInstanceOf(DepthwiseConvolution.class, cpu.pathFor(Conv2d.depthwise(8, 1, 3, 3).padding(2).stride(2)
                    .dilation(2).build()));
            assertInstanceOf(DepthwiseConvolution.class, cpu.pathFor(Conv2d.depthwise(8, 1, 1, 1).build()),
                    "a 1x1 depthwise conv has no channel reduction for the GEMM to block");
            assertInstanceOf(PointwiseGemm.class, cpu.pathFor(Conv2d.pointwise(8, 16).build()));
            assertInstanceOf(PointwiseGemm.class, cpu.pathFor(Conv2d.pointwise(8, 16).groups(2).build()));
            assertInstanceOf(ImplicitGemmConvolution.class, cpu.pathFor(Conv2d.pointwise(8, 16).stride(2).build()),
                    "a strided 1x1 conv is not a plain matrix product");
            assertInstanceOf(ImplicitGemmConvolution.class, cpu.pathFor(Conv2d.pointwise(8, 16).padding(1).build()));
            assertInstanceOf(ImplicitGemmConvolution.class, cpu.pathFor(Conv2d.builder(8, 16, 3).groups(4).build()));
        }
    }

    /** Large enough that every path splits its work over the pool. */
    @Test
    void parallelPathsMatchTheReference() {
        List<ConvLayer> layers = List.of(
                layer(Conv2d.depthwise(16, 2, 3, 5).padding(1, 2).paddingMode(PaddingMode.REFLECT).build()),
                layer(Conv2d.pointwise(24, 20).activation(Activation.RELU6).build()),
                layer(Conv2d.builder(12, 10, 3).dilation(3).padding(3).activation(Activation.RELU).build()));
        try (CpuBackend cpu = new CpuBackend(3)) {
            for (ConvLayer layer : layers) {
                Tensor input = random(Shape.of(2, layer.spec().inChannels(), 45, 38));
                double error = Reference.relativeL2(cpu.conv2d(layer, input).data(), Reference.conv2d(layer, input));
                assertTrue(error <= 1e-5, layer + ": relative L2 " + error);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        // the implicit GEMM (16 channels) and the padded-input GEMM (32)
        for (int channels : new int[] {16, 32}) {
            ConvLayer layer = layer(Conv2d.builder(channels, 16, 3).padding(1).build());
            Tensor input = random(Shape.of(1, channels, 40, 40));
            try (CpuBackend one = new CpuBackend(1); CpuBackend three = new CpuBackend(3)) {
                assertArrayEquals(one.conv2d(layer, input).data(), three.conv2d(layer, input).data(),
                        "each output element is summed in the same order whichever thread computes it");
            }
        }
    }

    @Test
    void manyThreadsOnOneInstanceGetIdenticalResults() throws Exception {
        List<ConvLayer> layers = List.of(
                layer(Conv2d.depthwise(16, 1, 3, 3).padding(1).build()),
                layer(Conv2d.pointwise(16, 32).build()),
                layer(Conv2d.builder(16, 8, 3).stride(2).paddingMode(PaddingMode.CIRCULAR).padding(1).build()));
        Tensor input = random(Shape.of(1, 16, 33, 31));
        try (CpuBackend cpu = new CpuBackend(2)) {
            List<float[]> expected = new ArrayList<>();
            for (ConvLayer layer : layers) {
                expected.add(cpu.conv2d(layer, input).data());
            }
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    done.add(callers.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            int which = i % layers.size();
                            assertArrayEquals(expected.get(which), cpu.conv2d(layers.get(which), input).data());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void separableRunsDepthwiseThenPointwise() {
        SeparableBlock block = new SeparableBlock(
                layer(Conv2d.depthwise(6, 2, 3, 3).padding(1).activation(Activation.RELU).build()),
                layer(Conv2d.pointwise(12, 5).build()));
        Tensor input = random(Shape.of(2, 6, 17, 13));
        try (CpuBackend cpu = new CpuBackend(2)) {
            Tensor out = cpu.separable(block, input);
            assertEquals(block.outputShape(input.shape()), out.shape());
            double error = Reference.relativeL2(out.data(), Reference.separable(block, input));
            assertTrue(error <= 1e-5, "relative L2 " + error);
        }
    }

    @Test
    void nanPropagatesThroughTheActivation() {
        ConvLayer layer = layer(Conv2d.pointwise(2, 2).activation(Activation.RELU6).build());
        Tensor input = random(Shape.of(1, 2, 3, 3));
        input.data()[4] = Float.NaN;
        try (CpuBackend cpu = new CpuBackend(1)) {
            float[] out = cpu.conv2d(layer, input).data();
            assertTrue(Float.isNaN(out[4]) && Float.isNaN(out[9 + 4]), "relu6(NaN) stays NaN in every channel");
            assertTrue(!Float.isNaN(out[0]), "other positions unaffected");
        }
    }

    @Test
    void packsTheWeightsOfALayerOnce() {
        PackedWeightCache cache = new PackedWeightCache();
        ConvLayer layer = layer(Conv2d.builder(4, 6, 3).build());
        float[] first = cache.panelsFor(layer);
        assertSame(first, cache.panelsFor(layer));
        assertEquals(1, cache.size());
        cache.panelsFor(layer(Conv2d.builder(4, 6, 3).build()));
        assertEquals(2, cache.size(), "another layer instance has its own weights");
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        CpuBackend cpu = new CpuBackend(2);
        ConvLayer layer = layer(Conv2d.pointwise(2, 2).build());
        Tensor input = random(Shape.of(1, 2, 4, 4));
        cpu.close();
        assertDoesNotThrow(cpu::close);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpu.conv2d(layer, input));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        SeparableBlock block = new SeparableBlock(layer(Conv2d.depthwise(2, 1, 3, 3).build()), layer);
        assertThrows(IllegalStateException.class, () -> cpu.separable(block, input));
    }

    @Test
    void rejectsANonPositiveThreadCountAndDescribesItself() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuBackend(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("0"), e.getMessage());
        try (CpuBackend cpu = new CpuBackend(3)) {
            assertEquals("cpu", cpu.name());
            assertTrue(cpu.deviceDescription().contains("3 threads"), cpu.deviceDescription());
        }
    }

    private ConvLayer layer(Conv2d spec) {
        return new ConvLayer(spec, random(spec.weightShape()), spec.hasBias() ? random(spec.biasShape()) : null);
    }

    @Test
    void vectorKernelsRunExactlyWhenTheIncubatorModuleIsPresent() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(present ? VectorMicroKernels.class : ScalarMicroKernels.class, MicroKernels.best().getClass());
    }

    @Test
    void scalarAndVectorKernelsAgreeBitForBit() {
        List<ConvLayer> layers = List.of(layer(Conv2d.builder(12, 20, 3).padding(2).dilation(2).build()),
                layer(Conv2d.pointwise(24, 9).build()), layer(Conv2d.depthwise(7, 2, 3, 5).stride(2, 1).padding(1).build()),
                // deep enough that kernels preferring a packed B get one
                layer(Conv2d.pointwise(70, 9).build()),
                // unit stride: one flat run of 30 vectors per plane, through every stencil step width
                layer(Conv2d.depthwise(6, 1, 3, 3).padding(1).build()),
                // 40 channels: the padded-input GEMM's cost model must choose the same path for both
                layer(Conv2d.builder(40, 8, 3).padding(1).build()));
        try (CpuBackend scalar = new CpuBackend(2, new ScalarMicroKernels());
                CpuBackend best = new CpuBackend(2, MicroKernels.best())) {
            for (ConvLayer layer : layers) {
                Tensor input = random(Shape.of(2, layer.spec().inChannels(), 19, 23));
                assertArrayEquals(scalar.conv2d(layer, input).data(), best.conv2d(layer, input).data(),
                        layer.spec().toString());
            }
            // rows of whole vectors in the padded plane and in the output (16 + 16 padding): the flat run stores
            // straight into the output through its store map
            ConvLayer dilated = layer(Conv2d.depthwise(6, 1, 5, 5).dilation(4).padding(8).bias(true).build());
            Tensor rowsOfVectors = random(Shape.of(2, 6, 12, 16));
            assertArrayEquals(scalar.conv2d(dilated, rowsOfVectors).data(), best.conv2d(dilated, rowsOfVectors).data());
            // a map of whole vectors: whole panels sum straight into the output, the last (1 of 17) through acc
            ConvLayer pointwise = layer(Conv2d.pointwise(70, 17).activation(Activation.RELU6).build());
            Tensor input = random(Shape.of(2, 70, 16, 24));
            assertArrayEquals(scalar.conv2d(pointwise, input).data(), best.conv2d(pointwise, input).data());
            // the implicit GEMM's narrow tails (regions of 33 and 51 positions: 1 and 3 columns past whole register
            // tiles), nine panels (a group of eight and a single one), runs of taps split by padding
            ConvLayer implicit = layer(Conv2d.builder(12, 72, 3).padding(3).dilation(3).bias(true)
                    .activation(Activation.RELU).build());
            Tensor regions = random(Shape.of(2, 12, 17, 23));
            assertInstanceOf(ImplicitGemmConvolution.class, best.pathFor(implicit, implicit.bind(regions.shape())));
            assertArrayEquals(scalar.conv2d(implicit, regions).data(), best.conv2d(implicit, regions).data());
            // tails of 4 (14x14) and 1 (7x7) columns past the whole vectors; 72 weight panels, 9 per unit on two
            // threads: the narrow-tail GEMM's groups of panels and its single ones
            ConvLayer narrow = layer(Conv2d.pointwise(70, 576).build());
            for (int size : new int[] {14, 7}) {
                Tensor map = random(Shape.of(1, 70, size, size));
                assertArrayEquals(scalar.conv2d(narrow, map).data(), best.conv2d(narrow, map).data(),
                        size + "x" + size);
            }
        }
    }

    /**
     * The pointwise GEMM over B packed into contiguous blocks gives the floats it gives over B in place: scalar
     * kernels that ask for packing from 2 deep, in blocks of 3 columns (437 = 145 blocks + 2 columns read in
     * place), against plain scalar kernels; groups, several column tiles and panels split across chunks included,
     * their B packed once for all chunks (small layers) or per chunk (300 deep: too large to pack in advance).
     */
    @Test
    void packedBGivesTheFloatsOfBInPlace() {
        MicroKernels packing = new ScalarMicroKernels() {
            @Override
            public int tileColumns() {
                return 3;
            }

            @Override
            public int packedDepth() {
                return 2;
            }
        };
        List<ConvLayer> layers = List.of(layer(Conv2d.pointwise(70, 9).build()),
                layer(Conv2d.pointwise(2, 17).activation(Activation.RELU).build()),
                layer(Conv2d.pointwise(2 * 300, 2 * 20).groups(2).build()), layer(Conv2d.pointwise(1, 8).build()),
                layer(Conv2d.pointwise(300, 40).build()));
        try (CpuBackend plain = new CpuBackend(2, new ScalarMicroKernels());
                CpuBackend packed = new CpuBackend(2, packing)) {
            for (ConvLayer layer : layers) {
                Tensor input = random(Shape.of(2, layer.spec().inChannels(), 19, 23));
                Tensor expected = plain.conv2d(layer, input);
                assertArrayEquals(expected.data(), packed.conv2d(layer, input).data(), layer.spec().toString());
                double error = Reference.relativeL2(expected.data(), Reference.conv2d(layer, input));
                assertTrue(error < 1e-5, layer.spec() + ": relative L2 error " + error);
            }
        }
    }

    private Tensor random(Shape shape) {
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat() * 2f - 1f;
        }
        return new Tensor(shape, data);
    }
}

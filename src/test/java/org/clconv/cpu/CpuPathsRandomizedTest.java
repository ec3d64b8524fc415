package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.clconv.Activation;
import org.clconv.Agreement;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.InvalidConvolutionException;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hundreds of random valid configurations, drawn so that each CPU path gets its share, against the float64
 * reference. The seed is printed; rerun one with {@code -Dclconv.seed=...}. A few cases are large enough that
 * the work is split over the pool, so the chunking is checked too, not only the inline path.
 */
class CpuPathsRandomizedTest {
    private static final int CASES = 360;

    private enum Kind { DEPTHWISE, POINTWISE, GENERAL, PADDED_INPUT }

    /** Both kernel implementations: the plain-Java fallback and the one the backend picks by default. */
    static Stream<MicroKernels> kernels() {
        return Stream.of(new ScalarMicroKernels(), MicroKernels.best());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void everyPathMatchesTheReference(MicroKernels kernels) {
        try (CpuBackend backend = new CpuBackend(2, kernels)) {
            check(backend);
        }
    }

    private static void check(CpuBackend backend) {
        long seed = Long.getLong("clconv.seed", System.nanoTime());
        System.out.println("CpuPathsRandomizedTest " + backend.deviceDescription() + " seed=" + seed + " (rerun with -Dclconv.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Map<PaddingMode, Integer> modes = new EnumMap<>(PaddingMode.class);
        Map<Class<?>, Integer> paths = new java.util.HashMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            Kind kind = Kind.values()[i % Kind.values().length];
            boolean large = i % 40 == 0;
            Case c = drawValid(rnd, kind, large);
            paths.merge(backend.pathFor(c.layer, c.layer.bind(c.input.shape())).getClass(), 1, Integer::sum);
            modes.merge(c.layer.spec().paddingMode(), 1, Integer::sum);
            Tensor actual = backend.conv2d(c.layer, c.input);
            // relative L2 with the conformance suite's floor for results that cancel to almost nothing (a
            // ReLU'd 4 -> 1 pointwise conv failed plain 1e-5 about once in 400 seeds on rounding alone)
            String mismatch = Agreement.mismatch(actual, c.layer.bind(c.input.shape()).outputShape(),
                    Reference.conv2d(c.layer, c.input), Agreement.termMagnitude(c.layer, c.input));
            if (mismatch != null) {
                failures.add("case " + i + ": " + c.layer.spec() + " on " + c.input.shape() + ": " + mismatch);
            }
        }
        System.out.println("paths " + paths + ", padding modes " + modes);
        assertTrue(failures.isEmpty(), failures.size() + " of " + CASES + " cases failed (seed " + seed + "):\n"
                + String.join("\n", failures));
        assertTrue(paths.keySet().containsAll(List.of(Depthwise3x3Convolution.class, DepthwiseConvolution.class,
                PointwiseGemm.class, ImplicitGemmConvolution.class, PaddedInputConvolution.class)),
                "every path exercised: " + paths);
        assertTrue(modes.size() == PaddingMode.values().length, "every padding mode exercised: " + modes);
    }

    private record Case(ConvLayer layer, Tensor input) {
    }

    /** Draws until the geometry is valid (reflect/circular limits, dilated kernel inside the padded input). */
    private static Case drawValid(Random rnd, Kind kind, boolean large) {
        while (true) {
            try {
                return draw(rnd, kind, large);
            } catch (InvalidConvolutionException e) {
                // an invalid combination (e.g. reflect padding >= input size): draw again
            }
        }
    }

    private static Case draw(Random rnd, Kind kind, boolean large) {
        int batch = 1 + rnd.nextInt(3);
        int h = 1 + rnd.nextInt(large ? 40 : 14);
        int w = 1 + rnd.nextInt(large ? 40 : 14);
        int maxChannels = large ? 24 : 9;
        Conv2d.Builder b;
        switch (kind) {
            case DEPTHWISE: {
                int channels = 1 + rnd.nextInt(maxChannels);
                if (rnd.nextInt(4) == 0) {
                    // the common 3x3 same-size form has a path of its own
                    int dil = 1 + rnd.nextInt(3);
                    b = Conv2d.depthwise(channels, 1 + rnd.nextInt(3), 3, 3).dilation(dil).padding(dil);
                    break;
                }
                if (rnd.nextInt(4) == 0) {
                    // stride 1, rows wider than three vectors and four or more kernel rows: the kernels' four-row
                    // blocks written straight into the output rows, then the rows left over
                    h = 4 + rnd.nextInt(large ? 40 : 14);
                    w = 49 + rnd.nextInt(100);
                    b = Conv2d.depthwise(channels, 1 + rnd.nextInt(2), 4 + rnd.nextInt(4), 1 + rnd.nextInt(7))
                            .dilation(1 + rnd.nextInt(3), 1 + rnd.nextInt(3))
                            .paddingMode(PaddingMode.values()[rnd.nextInt(PaddingMode.values().length)]);
                    if (rnd.nextBoolean()) {
                        b.padding(Padding.same());
                    } else {
                        b.padding(rnd.nextInt(7), rnd.nextInt(7));
                    }
                    break;
                }
                b = Conv2d.depthwise(channels, 1 + rnd.nextInt(3), 1 + rnd.nextInt(7), 1 + rnd.nextInt(7));
                spatial(rnd, b);
                break;
            }
            case POINTWISE: {
                int groups = 1 + rnd.nextInt(3);
                b = Conv2d.pointwise(groups * (1 + rnd.nextInt(maxChannels)), groups * (1 + rnd.nextInt(maxChannels)))
                        .groups(groups);
                break;
            }
            case PADDED_INPUT: {
                // stride 1, enough channels per group and a map large beside the kernel's reach: mostly taken
                // by the padded-input GEMM (the rest by the implicit GEMM)
                int groups = 1 + rnd.nextInt(2);
                int kernel = 1 + rnd.nextInt(5);
                int dil = 1 + rnd.nextInt(2);
                h = 20 + rnd.nextInt(21);
                w = 20 + rnd.nextInt(21);
                b = Conv2d.builder(groups * (PaddedInputConvolution.MIN_CHANNELS + rnd.nextInt(9)),
                        groups * (1 + rnd.nextInt(8)), kernel, 1 + rnd.nextInt(3)).groups(groups).dilation(dil)
                        .paddingMode(PaddingMode.values()[rnd.nextInt(PaddingMode.values().length)]);
                if (rnd.nextBoolean()) {
                    b.padding(Padding.same());
                } else {
                    b.padding(rnd.nextInt(dil * (kernel - 1) / 2 + 1), rnd.nextInt(dil + 1));
                }
                break;
            }
            default: {
                int groups = 1 + rnd.nextInt(3);
                b = Conv2d.builder(groups * (1 + rnd.nextInt(maxChannels)), groups * (1 + rnd.nextInt(maxChannels)),
                        1 + rnd.nextInt(7), 1 + rnd.nextInt(7)).groups(groups);
                spatial(rnd, b);
                break;
            }
        }
        Conv2d spec = b.bias(rnd.nextBoolean())
                .activation(Activation.values()[rnd.nextInt(Activation.values().length)]).build();
        Shape inputShape = Shape.of(batch, spec.inChannels(), h, w);
        spec.bind(inputShape);
        Tensor weight = random(rnd, spec.weightShape());
        Tensor bias = spec.hasBias() ? random(rnd, spec.biasShape()) : null;
        return new Case(new ConvLayer(spec, weight, bias), random(rnd, inputShape));
    }

    /** Stride, dilation, padding form and padding mode. */
    private static void spatial(Random rnd, Conv2d.Builder b) {
        int strideH = 1 + rnd.nextInt(3);
        int strideW = 1 + rnd.nextInt(3);
        b.dilation(1 + rnd.nextInt(4), 1 + rnd.nextInt(4))
                .paddingMode(PaddingMode.values()[rnd.nextInt(PaddingMode.values().length)]);
        int form = rnd.nextInt(4);
        if (form == 0 && strideH == 1 && strideW == 1) {
            b.padding(Padding.same());
        } else if (form == 1) {
            b.padding(Padding.valid()).stride(strideH, strideW);
        } else {
            b.padding(rnd.nextInt(5), rnd.nextInt(5)).stride(strideH, strideW);
        }
    }

    private static Tensor random(Random rnd, Shape shape) {
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat() * 2f - 1f;
        }
        return new Tensor(shape, data);
    }
}

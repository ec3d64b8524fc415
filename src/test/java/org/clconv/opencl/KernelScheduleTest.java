package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.assertClose;
import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;

import java.util.List;
import java.util.stream.Stream;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schedule (tile and work-group sizes) changes speed, never results: the same layers, with sizes that
 * leave partial tiles and work-groups everywhere, agree with the reference under very different schedules.
 */
class KernelScheduleTest {
    private static final List<Case> CASES = List.of(
            new Case(Conv2d.depthwise(3, 2, 5, 5).padding(Padding.same()).paddingMode(PaddingMode.CIRCULAR)
                    .activation(Activation.RELU).build(), Shape.of(2, 3, 11, 29)),
            new Case(Conv2d.depthwise(5, 1, 3, 3).stride(2, 2).padding(Padding.of(1)).paddingMode(PaddingMode.REFLECT)
                    .build(), Shape.of(1, 5, 18, 31)),
            // zero padding on every side, several planes per staged group: the padding cells are written for a
            // group's first plane only
            new Case(Conv2d.depthwise(5, 2, 3, 3).dilation(2, 1).padding(Padding.of(2, 1)).build(),
                    Shape.of(2, 5, 9, 11)),
            new Case(Conv2d.depthwise(2, 1, 3, 3).dilation(1, 6).padding(Padding.of(1, 6))
                    .paddingMode(PaddingMode.REPLICATE).activation(Activation.RELU6).build(), Shape.of(1, 2, 9, 40)),
            // same-size planes the flat layout takes: 3x3 on 7x7 (a plane is three float16 and a moved-back one),
            // dilated 5x5 with a channel multiplier, asymmetric 'same' padding of an even kernel, with activations
            new Case(Conv2d.depthwise(6, 1, 3, 3).padding(Padding.of(1)).activation(Activation.RELU6).build(),
                    Shape.of(2, 6, 7, 7)),
            new Case(Conv2d.depthwise(3, 2, 5, 5).dilation(2, 2).padding(Padding.of(4)).build(),
                    Shape.of(1, 3, 9, 13)),
            new Case(Conv2d.depthwise(4, 1, 2, 4).padding(Padding.same()).activation(Activation.RELU).build(),
                    Shape.of(3, 4, 5, 3)),
            new Case(Conv2d.pointwise(70, 37).groups(1).build(), Shape.of(2, 70, 9, 11)),
            new Case(Conv2d.pointwise(12, 18).groups(3).bias(false).activation(Activation.RELU).build(),
                    Shape.of(1, 12, 7, 13)),
            new Case(Conv2d.builder(6, 10, 3).stride(2, 1).dilation(2, 3).padding(Padding.of(2, 3)).groups(2)
                    .paddingMode(PaddingMode.REPLICATE).build(), Shape.of(2, 6, 15, 17)),
            new Case(Conv2d.builder(9, 33, 4, 7).padding(Padding.same()).paddingMode(PaddingMode.ZEROS)
                    .activation(Activation.RELU6).build(), Shape.of(1, 9, 13, 10)));

    static Stream<KernelParams> schedules() {
        return Stream.of(
                new KernelParams(DepthwiseSchedule.blocks(1, 1, 1, 1), new GemmSchedule(true, 4, 8, 4, 1, 2)),
                new KernelParams(DepthwiseSchedule.blocks(3, 2, 5, 3), new GemmSchedule(true, 8, 32, 8, 2, 4)),
                // Vector depthwise rows (stride 2 too) and the direct GEMM with register tiles taller than
                // some layers' channel counts (fitted) and partial pixel vectors.
                new KernelParams(DepthwiseSchedule.blocks(4, 3, 2, 2), new GemmSchedule(false, 16, 16, 1, 8, 8)),
                // Staged depthwise tiles: one work-item per group with several planes (partial last group of
                // planes), float16 blocks wider than some rows (scalar tile copies with stride 2), work-items
                // sharing a tile's blocks and rows, and blocks that are no vector.
                new KernelParams(DepthwiseSchedule.staged(16, 1, 1, 1, 16, 4), new GemmSchedule(false, 12, 32, 16, 3, 16)),
                new KernelParams(DepthwiseSchedule.staged(4, 3, 2, 2, 12, 3), new GemmSchedule(false, 4, 2, 16, 4, 2)),
                new KernelParams(DepthwiseSchedule.staged(3, 2, 5, 3, 6, 1), new GemmSchedule(true, 4, 8, 4, 1, 2)),
                // Vector blocks in rows paired a dilation apart, five rows per work-item: rows 0 and 1, 2 and 3, then
                // 4 alone with dilation 1; 0 and 2, 1 and 3, then 4 alone with dilation 2.
                new KernelParams(DepthwiseSchedule.staged(8, 5, 2, 2, 16, 2), new GemmSchedule(false, 4, 2, 16, 4, 2)),
                // Flat planes: float16 runs on 7-wide rows (several rows a vector), runs moved back at a plane's end,
                // blocks per work-item past a plane's end, the runs at the input's ends computed output by output;
                // layers the flat layout cannot take (stride 2, other padding modes, a plane under a vector) run
                // the layout it falls back to.
                new KernelParams(DepthwiseSchedule.flat(16, 3, 1, 4), new GemmSchedule(false, 4, 2, 16, 4, 2)),
                new KernelParams(DepthwiseSchedule.flat(4, 1, 8, 1), new GemmSchedule(true, 4, 8, 4, 1, 2)),
                new KernelParams(DepthwiseSchedule.flat(2, 5, 3, 3), new GemmSchedule(true, 4, 8, 4, 1, 2)),
                // The CPU defaults (flat where it applies, else staged) run in every other test on PoCL; these are
                // what GPUs would run.
                KernelParams.NVIDIA_DEFAULTS, KernelParams.AMD_DEFAULTS, KernelParams.INTEL_GPU_DEFAULTS);
    }

    @ParameterizedTest
    @MethodSource("schedules")
    void everyScheduleGivesTheReferenceResult(KernelParams params) {
        try (OpenClBackend backend = OpenClTesting.fresh(params)) {
            for (Case c : CASES) {
                ConvLayer l = layer(c.spec(), c.spec().hashCode());
                Tensor input = random(c.input(), c.input().hashCode());
                assertClose(reference(l, input), backend.conv2d(l, input), c.spec() + " with " + params);
            }
        }
    }

    private record Case(Conv2d spec, Shape input) {
    }
}

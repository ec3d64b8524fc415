package org.clconv.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.junit.jupiter.api.Test;

/**
 * The flat depthwise layout's schedule: which layers it takes, what it falls back to on the others, its NDRange
 * and its parameter checks. (That it computes the right outputs is {@link KernelScheduleTest}'s part.)
 */
class FlatDepthwiseScheduleTest {
    private static final ConvGeometry SEVEN = Conv2d.depthwise(1024, 1, 3, 3).padding(Padding.of(1)).build()
            .bind(1, 7, 7);

    @Test
    void takesStrideOneLayersWhoseOutputPlanesHaveTheInputsSize() {
        DepthwiseSchedule flat = DepthwiseSchedule.flat(16, 4, 1, 16);
        assertTrue(flat.takesFlat(SEVEN));
        assertTrue(flat.takesFlat(Conv2d.depthwise(8, 2, 5, 5).dilation(2, 2).padding(Padding.of(4)).build()
                .bind(2, 9, 13)), "dilated, a channel multiplier, a batch");
        assertTrue(flat.takesFlat(Conv2d.depthwise(4, 1, 2, 4).padding(Padding.same()).build().bind(1, 5, 4)),
                "uneven 'same' padding of an even kernel, a plane of 20");
        assertFalse(flat.takesFlat(Conv2d.depthwise(4, 1, 3, 3).stride(2, 2).padding(Padding.of(1)).build()
                .bind(1, 14, 14)), "stride 2");
        assertFalse(flat.takesFlat(Conv2d.depthwise(4, 1, 3, 3).padding(Padding.of(1))
                .paddingMode(PaddingMode.REFLECT).build().bind(1, 14, 14)), "reflect padding");
        assertFalse(flat.takesFlat(Conv2d.depthwise(4, 1, 3, 3).build().bind(1, 14, 14)), "no padding: 12x12 out");
        assertFalse(flat.takesFlat(Conv2d.depthwise(4, 1, 3, 3).padding(Padding.of(1)).build().bind(1, 3, 5)),
                "a plane of 15 floats, under one float16");
        assertTrue(DepthwiseSchedule.flat(8, 4, 1, 16).takesFlat(Conv2d.depthwise(4, 1, 3, 3)
                .padding(Padding.of(1)).build().bind(1, 3, 5)), "the same plane in float8 runs");
    }

    @Test
    void aLayerItCannotTakeRunsTheSameVectorsInAnotherLayout() {
        ConvGeometry strided = Conv2d.depthwise(4, 1, 3, 3).stride(2, 2).padding(Padding.of(1)).build()
                .bind(1, 14, 14);
        assertEquals(DepthwiseSchedule.STAGED_FALLBACK, DepthwiseSchedule.flat(16, 4, 1, 8).fittedTo(strided),
                "CPU-shaped: staged, one work-item");
        assertEquals(DepthwiseSchedule.blocks(4, 1, 64, 1), DepthwiseSchedule.flat(4, 1, 64, 1).fittedTo(strided),
                "GPU-shaped: blocks in the same work-group width");
        DepthwiseSchedule flat = DepthwiseSchedule.flat(16, 4, 1, 8);
        assertSame(flat, flat.fittedTo(SEVEN));
        DepthwiseSchedule staged = DepthwiseSchedule.staged(8, 16, 1, 1, 128, 1);
        assertSame(staged, staged.fittedTo(strided));
    }

    @Test
    void theNdRangeCoversEveryBlockOfEveryPlane() {
        KernelParams cpu = KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.flat(16, 64, 1, 64));
        KernelPlan plan = KernelPlan.of(SEVEN, cpu);
        // 49 outputs = 4 blocks of 16 (the last moved back), all in one work-item; 1024 planes, 64 per group
        assertArrayEquals(new long[] {1, 1, 16}, plan.globalSize());
        assertArrayEquals(new long[] {1, 1, 1}, plan.localSize());
        assertTrue(plan.options().contains("-DDW_LAYOUT=2 "), plan.options());

        KernelPlan gpu = KernelPlan.of(SEVEN, KernelParams.NVIDIA_DEFAULTS.with(DepthwiseSchedule.flat(4, 1, 64, 1)));
        // 13 blocks of 4, one per work-item, in groups of 64; one plane per group
        assertArrayEquals(new long[] {64, 1, 1024}, gpu.globalSize());
        assertArrayEquals(new long[] {64, 1, 1}, gpu.localSize());

        ConvGeometry strided = Conv2d.depthwise(4, 1, 3, 3).stride(2, 2).padding(Padding.of(1)).build()
                .bind(1, 14, 14);
        assertTrue(KernelPlan.of(strided, cpu).options().contains("-DDW_LAYOUT=1 "), "staged where flat cannot run");
    }

    @Test
    void badFlatParametersAreRejectedNamingThem() {
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> DepthwiseSchedule.flat(3, 4, 1, 1));
        assertTrue(three.getMessage().contains("outputsX 3"), three.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DepthwiseSchedule.flat(32, 4, 1, 1));
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new DepthwiseSchedule(DepthwiseSchedule.Layout.FLAT, 8, 4, 1, 2, 0, 1));
        assertTrue(rows.getMessage().contains("groupY 2"), rows.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new DepthwiseSchedule(DepthwiseSchedule.Layout.FLAT, 8, 4, 1, 1, 16, 1), "a tile width");
    }
}

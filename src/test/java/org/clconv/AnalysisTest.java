package org.clconv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.clconv.analysis.ReceptiveField;
import org.clconv.analysis.SeparableCost;
import org.junit.jupiter.api.Test;

/**
 * What the contract answers without running anything: output shapes (the expected values were printed by
 * torch 1.13's {@code nn.Conv2d}), MACs/FLOPs, parameter counts, receptive fields, and the lesson's
 * separable-cost ratio.
 */
class AnalysisTest {

    @Test
    void outputShapesMatchPyTorch() {
        assertOutput(Conv2d.builder(3, 64, 7).stride(2).padding(3), Shape.of(1, 3, 224, 224), Shape.of(1, 64, 112, 112));
        assertOutput(Conv2d.builder(3, 10, 3), Shape.of(1, 3, 128, 128), Shape.of(1, 10, 126, 126));
        assertOutput(Conv2d.builder(16, 32, 3, 5).stride(2, 3).padding(1, 2).dilation(2, 1), Shape.of(2, 16, 33, 47),
                Shape.of(2, 32, 16, 16));
        assertOutput(Conv2d.builder(2, 4, 4).padding(Padding.same()).dilation(3), Shape.of(1, 2, 10, 11),
                Shape.of(1, 4, 10, 11));
        assertOutput(Conv2d.builder(1, 1, 5).stride(3).padding(Padding.valid()), Shape.of(3, 1, 17, 20),
                Shape.of(3, 1, 5, 6));
        assertOutput(Conv2d.builder(4, 8, 3).stride(2).padding(3, 1).paddingMode(PaddingMode.CIRCULAR).groups(4),
                Shape.of(1, 4, 7, 9), Shape.of(1, 8, 6, 5));
        assertOutput(Conv2d.builder(3, 3, 5, 3).padding(4, 2).dilation(1, 3).paddingMode(PaddingMode.REFLECT).groups(3),
                Shape.of(2, 3, 6, 5), Shape.of(2, 3, 10, 3));
    }

    @Test
    void samePaddingPutsTheOddPadAtTheBottomRight() {
        Conv2d c = Conv2d.builder(1, 1, 4, 2).padding(Padding.same()).dilation(1, 3).build();
        // totals 3 and 3: (1, 2) each way
        assertEquals(List.of(1, 2, 1, 2), List.of(c.padTop(), c.padBottom(), c.padLeft(), c.padRight()));
        Conv2d symmetric = Conv2d.builder(1, 1, 3).padding(Padding.same()).dilation(2).build();
        assertEquals(List.of(2, 2, 2, 2),
                List.of(symmetric.padTop(), symmetric.padBottom(), symmetric.padLeft(), symmetric.padRight()));
    }

    @Test
    void macsAndFlopsCountEveryMultiplyAccumulate() {
        // standard: out * H' * W' * in * k^2
        ConvGeometry standard = Conv2d.builder(3, 10, 3).padding(1).build().bind(1, 128, 128);
        assertEquals(10L * 128 * 128 * 3 * 9, standard.macs());
        assertEquals(2 * standard.macs(), standard.flops());
        // depthwise: one input channel per output
        assertEquals(3L * 128 * 128 * 9, Conv2d.depthwise(3, 1, 3, 3).padding(1).build().bind(1, 128, 128).macs());
        // grouped: in/groups inputs per output; batch multiplies
        assertEquals(2L * 16 * 8 * 8 * 2 * 9, Conv2d.builder(8, 16, 3).groups(4).build().bind(2, 10, 10).macs());
        // strided, asymmetric kernel: output 4 x 3
        assertEquals(5L * 4 * 3 * 2 * 3 * 2,
                Conv2d.builder(2, 5, 3, 2).stride(2, 3).build().bind(1, 9, 8).macs());
    }

    @Test
    void minimumBytesCountsEachTensorOnce() {
        ConvGeometry g = Conv2d.builder(3, 10, 3).build().bind(2, 8, 8);
        long elements = 2 * 3 * 8 * 8 + 2 * 10 * 6 * 6 + 10 * 3 * 9 + 10;
        assertEquals(4 * elements, g.minimumBytes());
    }

    @Test
    void parameterCountsMatchPyTorch() {
        assertEquals(9472, Conv2d.builder(3, 64, 7).stride(2).padding(3).build().parameterCount());
        assertEquals(280, Conv2d.builder(3, 10, 3).build().parameterCount());
        assertEquals(270, Conv2d.builder(3, 10, 3).bias(false).build().parameterCount());
        assertEquals(7712, Conv2d.builder(16, 32, 3, 5).build().parameterCount());
        assertEquals(80, Conv2d.builder(4, 8, 3).groups(4).build().parameterCount());
        assertEquals(48, Conv2d.builder(3, 3, 5, 3).groups(3).build().parameterCount());
    }

    @Test
    void receptiveFieldGrowsByDilatedKernelTimesJump() {
        Conv2d k3 = Conv2d.builder(1, 1, 3).build();
        assertField(5, 5, ReceptiveField.of(k3, k3), "two 3x3 convs see 5x5");
        assertField(5, 5, ReceptiveField.of(Conv2d.builder(1, 1, 3).dilation(2).build()), "3x3 dilation 2 sees 5x5");
        assertField(7, 7, ReceptiveField.of(k3, k3, k3), "three 3x3 see 7x7");
        assertField(1, 1, ReceptiveField.of(List.of()), "no layer sees one pixel");
        Conv2d k3s2 = Conv2d.builder(1, 1, 3).stride(2).build();
        // 1 + 2 (first) + 2*1 (second, jump 1) + 2*2 (third, after the stride-2 layer)
        ReceptiveField strided = ReceptiveField.of(k3, k3s2, k3);
        assertField(9, 9, strided, "a stride widens every later layer's step");
        assertEquals(2, strided.jumpH());
        Conv2d rows = Conv2d.builder(1, 1, 3, 1).stride(2, 1).build();
        Conv2d cols = Conv2d.builder(1, 1, 1, 3).build();
        assertField(3, 3, ReceptiveField.of(rows, cols), "3x1 then 1x3 see 3x3");
        assertEquals(2, ReceptiveField.of(rows, cols).jumpH());
        assertEquals(1, ReceptiveField.of(rows, cols).jumpW());
    }

    @Test
    void separableCostMatchesTheLessonsClosedForm() {
        // The lesson's exercise: 3x128x128 input, 3x3 depthwise, pointwise to n = 10 channels.
        Conv2d depthwise = Conv2d.depthwise(3, 1, 3, 3).padding(1).build();
        Conv2d pointwise = Conv2d.pointwise(3, 10).build();
        SeparableCost cost = SeparableCost.of(depthwise, pointwise, 1, 128, 128);
        assertEquals(10L * 128 * 128 * 3 * 9, cost.standardMacs());
        assertEquals(3L * 128 * 128 * 9, cost.depthwiseMacs());
        assertEquals(10L * 128 * 128 * 3, cost.pointwiseMacs());
        assertEquals(cost.depthwiseMacs() + cost.pointwiseMacs(), cost.separableMacs());
        assertEquals(1.0 / 10 + 1.0 / 9, cost.predictedRatio(), 1e-15);
        assertEquals(cost.predictedRatio(), cost.measuredRatio(), 1e-12);
        // Unpadded, the output shrinks for both, and the ratio still holds exactly.
        SeparableCost valid = SeparableCost.of(Conv2d.depthwise(3, 1, 3, 3).build(), pointwise, 1, 128, 128);
        assertEquals(1.0 / 10 + 1.0 / 9, valid.measuredRatio(), 1e-12);
    }

    @Test
    void separableCostRejectsPairsItsFormulaDoesNotDescribe() {
        Conv2d pointwise = Conv2d.pointwise(3, 10).build();
        ValidationTest.rejects(() -> SeparableCost.of(Conv2d.builder(3, 3, 3).build(), pointwise, 1, 16, 16),
                "depthwise", "groups=1");
        ValidationTest.rejects(() -> SeparableCost.of(Conv2d.depthwise(3, 2, 3, 3).build(),
                Conv2d.pointwise(6, 10).build(), 1, 16, 16), "multiplier", "2");
        ValidationTest.rejects(() -> SeparableCost.of(Conv2d.depthwise(3, 1, 3, 3).build(),
                Conv2d.pointwise(5, 10).build(), 1, 16, 16), "in_channels=5", "3");
        ValidationTest.rejects(() -> SeparableCost.of(Conv2d.depthwise(3, 1, 3, 3).build(),
                Conv2d.builder(3, 10, 3).build(), 1, 16, 16), "pointwise", "kernel_size=(3, 3)");
    }

    private static void assertOutput(Conv2d.Builder spec, Shape input, Shape expected) {
        Conv2d c = spec.build();
        assertEquals(expected, c.bind(input).outputShape(), () -> c + " on " + input);
    }

    private static void assertField(int h, int w, ReceptiveField field, String why) {
        assertEquals(List.of(h, w), List.of(field.height(), field.width()), why);
    }
}

package org.clconv.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;
import org.clconv.Reference;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.bench.BenchLayer;
import org.clconv.bench.Ceilings;
import org.clconv.bench.PreparedLayer;
import org.clconv.bench.Workload;
import org.junit.jupiter.api.Test;

/**
 * The hand-written ONNX encoding is right when ONNX Runtime, reading it, computes what the float64 reference
 * computes: every Conv attribute (asymmetric kernel, stride, dilation, pads, groups), bias or none, each
 * activation, and a two-node separable graph.
 */
class OnnxConvModelTest {
    private static final Ceilings UNUSED = new Ceilings(1, 1, "unused", "unused");

    private final OnnxRuntimeTarget ort = new OnnxRuntimeTarget(1, () -> UNUSED);

    @Test
    void denseConvWithEveryAttribute() {
        Conv2d spec = Conv2d.builder(4, 6, 3, 2).stride(2, 1).padding(2, 1).dilation(1, 2).groups(2)
                .activation(Activation.RELU6).build();
        assertMatchesReference(BenchLayer.conv("dense", Shape.of(2, 4, 11, 9), spec));
    }

    @Test
    void depthwiseWithoutBiasWithRelu() {
        Conv2d spec = Conv2d.depthwise(5, 2, 3, 3).padding(1).bias(false).activation(Activation.RELU).build();
        assertMatchesReference(BenchLayer.conv("dw", Shape.of(1, 5, 8, 7), spec));
    }

    @Test
    void samePaddingWithAnOddTotalPadsBottomRight() {
        Conv2d spec = Conv2d.builder(3, 2, 4).padding(org.clconv.Padding.same()).build();
        assertMatchesReference(BenchLayer.conv("same", Shape.of(1, 3, 6, 6), spec));
    }

    @Test
    void separableBlockIsATwoNodeGraph() {
        BenchLayer layer = BenchLayer.separable("sep", Shape.of(1, 8, 10, 10),
                Conv2d.depthwise(8, 1, 3, 3).padding(1).activation(Activation.RELU6).build(),
                Conv2d.pointwise(8, 5).activation(Activation.RELU).build());
        Workload w = layer.materialize(3);
        try (PreparedLayer prepared = ort.prepare(w)) {
            List<ConvLayer> layers = w.convLayers();
            double[] expected = Reference.separable(new SeparableBlock(layers.get(0), layers.get(1)), w.input());
            assertEquals(layer.outputShape(), prepared.output().shape());
            assertTrue(Reference.relativeL2(prepared.output().data(), expected) < 1e-6);
        }
    }

    @Test
    void rejectsPaddingModesOnnxConvDoesNotHave() {
        Conv2d spec = Conv2d.builder(1, 1, 3).padding(1).paddingMode(PaddingMode.REFLECT).build();
        ConvLayer layer = new ConvLayer(spec, Tensor.zeros(spec.weightShape()), Tensor.zeros(spec.biasShape()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxConvModel.build(List.of(layer), Shape.of(1, 1, 5, 5)));
        assertTrue(e.getMessage().contains("reflect"), e.getMessage());
    }

    private void assertMatchesReference(BenchLayer layer) {
        Workload w = layer.materialize(1);
        try (PreparedLayer prepared = ort.prepare(w)) {
            double[] expected = Reference.conv2d(w.convLayers().get(0), w.input());
            assertEquals(layer.outputShape(), prepared.output().shape());
            double error = Reference.relativeL2(prepared.output().data(), expected);
            assertTrue(error < 1e-6, "relative L2 error " + error);
        }
    }
}

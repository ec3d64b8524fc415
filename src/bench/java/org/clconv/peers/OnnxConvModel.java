package org.clconv.peers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;
import org.clconv.Shape;
import org.clconv.Tensor;

/**
 * Builds the ONNX model ({@code ModelProto} bytes) of a chain of convolutions: one {@code Conv} node per layer,
 * followed by {@code Relu} or {@code Clip(0, 6)} for a fused activation, weights and biases as initializers.
 * Input {@code x}, output {@code y}, both float32 with fixed shapes so that ONNX Runtime can plan its memory.
 *
 * <p>Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
 */
public final class OnnxConvModel {
    public static final String INPUT = "x";
    public static final String OUTPUT = "y";

    /** IR version 7 and opset 13 are read by every ONNX Runtime since 1.6; Clip takes its bounds as inputs there. */
    private static final long IR_VERSION = 7;
    private static final long OPSET = 13;
    private static final int FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private OnnxConvModel() {
    }

    /** The model of {@code layers} applied one after another to an input of shape {@code input}. */
    public static byte[] build(List<ConvLayer> layers, Shape input) {
        ProtoWriter graph = new ProtoWriter().string(2, "clconv_peer");
        String current = INPUT;
        Shape shape = input;
        for (int i = 0; i < layers.size(); i++) {
            ConvLayer layer = layers.get(i);
            Conv2d spec = layer.spec();
            if (spec.paddingMode() != PaddingMode.ZEROS) {
                throw new IllegalArgumentException("the ONNX Runtime peer supports padding_mode=zeros only, got "
                        + spec.paddingMode().label());
            }
            String weight = "w" + i;
            graph.message(5, tensor(weight, layer.weight()));
            String bias = null;
            if (layer.bias() != null) {
                bias = "b" + i;
                graph.message(5, tensor(bias, layer.bias()));
            }
            boolean last = i == layers.size() - 1;
            boolean activated = spec.activation() != Activation.NONE;
            String convOut = last && !activated ? OUTPUT : "conv" + i;
            graph.message(1, convNode("conv" + i, current, weight, bias, convOut, spec));
            current = convOut;
            if (activated) {
                String actOut = last ? OUTPUT : "act" + i;
                graph.message(1, activationNode(graph, i, spec.activation(), current, actOut));
                current = actOut;
            }
            shape = spec.bind(shape).outputShape();
        }
        graph.message(11, valueInfo(INPUT, input));
        graph.message(12, valueInfo(OUTPUT, shape));
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "clconv")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET))
                .toByteArray();
    }

    private static ProtoWriter convNode(String name, String input, String weight, String bias, String output, Conv2d spec) {
        ProtoWriter node = new ProtoWriter().string(1, input).string(1, weight);
        if (bias != null) {
            node.string(1, bias);
        }
        return node.string(2, output)
                .string(3, name)
                .string(4, "Conv")
                .message(5, ints("dilations", spec.dilationH(), spec.dilationW()))
                .message(5, new ProtoWriter().string(1, "group").varint(3, spec.groups()).varint(20, ATTRIBUTE_INT))
                .message(5, ints("kernel_shape", spec.kernelH(), spec.kernelW()))
                // ONNX orders pads as all the begins, then all the ends: top, left, bottom, right
                .message(5, ints("pads", spec.padTop(), spec.padLeft(), spec.padBottom(), spec.padRight()))
                .message(5, ints("strides", spec.strideH(), spec.strideW()));
    }

    private static ProtoWriter activationNode(ProtoWriter graph, int index, Activation activation, String input,
            String output) {
        ProtoWriter node = new ProtoWriter().string(1, input);
        if (activation == Activation.RELU6) {
            String low = "clip_low" + index;
            String high = "clip_high" + index;
            graph.message(5, scalar(low, 0f));
            graph.message(5, scalar(high, 6f));
            node.string(1, low).string(1, high);
        }
        return node.string(2, output)
                .string(3, "act" + index)
                .string(4, activation == Activation.RELU6 ? "Clip" : "Relu");
    }

    private static ProtoWriter ints(String name, int... values) {
        ProtoWriter attribute = new ProtoWriter().string(1, name);
        for (int v : values) {
            attribute.varint(8, v);
        }
        return attribute.varint(20, ATTRIBUTE_INTS);
    }

    private static ProtoWriter tensor(String name, Tensor tensor) {
        ProtoWriter proto = new ProtoWriter();
        for (int d : tensor.shape().toArray()) {
            proto.varint(1, d);
        }
        float[] data = tensor.data();
        ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return proto.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    private static ProtoWriter scalar(String name, float value) {
        return tensor(name, new Tensor(Shape.of(), new float[] {value}));
    }

    private static ProtoWriter valueInfo(String name, Shape shape) {
        ProtoWriter dims = new ProtoWriter();
        for (int d : shape.toArray()) {
            dims.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, dims);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}

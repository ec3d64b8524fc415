package org.clconv.cpu;

import java.util.Random;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.Shape;
import org.clconv.Tensor;

/** What the path tests share: running one path on a layer, and random layers and tensors. */
final class PathRuns {
    private PathRuns() {
    }

    /** The path's output for the input, in a fresh array. */
    static float[] run(ConvPath path, ConvLayer layer, Tensor input) {
        ConvGeometry g = layer.bind(input.shape());
        float[] out = new float[Math.toIntExact(g.outputShape().numel())];
        path.run(layer, g, input.data(), out);
        return out;
    }

    /** Standard normal weights (and bias, where the spec has one). */
    static ConvLayer layer(Conv2d spec, Random rnd) {
        return new ConvLayer(spec, random(rnd, spec.weightShape()), spec.hasBias() ? random(rnd, spec.biasShape())
                : null);
    }

    static Tensor random(Random rnd, Shape shape) {
        float[] data = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return new Tensor(shape, data);
    }
}

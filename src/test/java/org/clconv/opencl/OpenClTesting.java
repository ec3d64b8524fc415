package org.clconv.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.TestBackends;

/** Shared helpers of the OpenCL tests: backends with the common skip-or-fail rule, random data, the oracle. */
final class OpenClTesting {
    static final double TOLERANCE = 1e-5;

    private OpenClTesting() {
    }

    /**
     * The JVM-wide OpenCL backend of {@link TestBackends}: the test skips with the reason when no device
     * exists, and fails instead under {@code -Dclconv.requireOpenCL=true}.
     */
    static OpenClBackend shared() {
        return (OpenClBackend) TestBackends.get("opencl");
    }

    /** A backend of the test's own (to count builds and buffers, or to close), after the same skip-or-fail check. */
    static OpenClBackend fresh() {
        shared();
        return OpenClBackend.open(null);
    }

    static OpenClBackend fresh(KernelParams params) {
        shared();
        return new OpenClBackend(Devices.select(null), params);
    }

    static Tensor random(Shape shape, long seed) {
        Random r = new Random(seed);
        float[] data = new float[Tensor.checkedNumel("test tensor", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, data);
    }

    /** A layer with weights scaled like PyTorch's init, so outputs stay of the input's size. */
    static ConvLayer layer(Conv2d spec, long seed) {
        Tensor w = random(spec.weightShape(), seed);
        float scale = (float) (1 / Math.sqrt((double) spec.inChannelsPerGroup() * spec.kernelH() * spec.kernelW()));
        for (int i = 0; i < w.data().length; i++) {
            w.data()[i] *= scale;
        }
        return new ConvLayer(spec, w, spec.hasBias() ? random(spec.biasShape(), ~seed) : null);
    }

    /** The reference result rounded to float32, as the next layer of a chain would receive it. */
    static Tensor reference(ConvLayer layer, Tensor input) {
        double[] exact = Reference.conv2d(layer, input);
        float[] rounded = new float[exact.length];
        for (int i = 0; i < exact.length; i++) {
            rounded[i] = (float) exact[i];
        }
        return new Tensor(layer.bind(input.shape()).outputShape(), rounded);
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertTrue(expected.shape().equals(actual.shape()),
                what + ": shape " + actual.shape() + ", expected " + expected.shape());
        double error = Reference.relativeL2(actual.data(), toDouble(expected.data()));
        assertTrue(error <= TOLERANCE, what + ": relative L2 error " + error + " > " + TOLERANCE);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}

package org.clconv.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.Supplier;
import org.clconv.BackendException;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.bench.BenchTarget;
import org.clconv.bench.Ceilings;
import org.clconv.bench.HostBackendTarget;
import org.clconv.bench.PreparedLayer;
import org.clconv.bench.TimedCall;
import org.clconv.bench.Workload;

/**
 * ONNX Runtime's Java API as a bench peer: each layer becomes a single-Conv model ({@link OnnxConvModel}, two
 * for a separable block) in a session with every graph optimisation on and the same number of intra-op
 * threads as clconv's CPU backend. The input tensor is created once per layer, so a timed call is
 * {@code session.run} alone, as a deployed model would call it.
 */
public final class OnnxRuntimeTarget implements BenchTarget {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final int threads;
    private final Supplier<Ceilings> ceilings;

    /** {@code ceilings}: the CPU's, shared with the clconv CPU target so they are measured once. */
    public OnnxRuntimeTarget(int threads, Supplier<Ceilings> ceilings) {
        this.threads = threads;
        this.ceilings = ceilings;
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public String description() {
        return "ONNX Runtime " + environment.getVersion() + " (Java), " + threads + " intra-op threads, all optimisations";
    }

    @Override
    public Ceilings ceilings() {
        return ceilings.get();
    }

    @Override
    public PreparedLayer prepare(Workload workload) {
        try {
            return new Prepared(workload);
        } catch (OrtException e) {
            throw new BackendException("ONNX Runtime failed on " + workload.layer().name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // The environment is a process-wide singleton that ONNX Runtime releases at exit.
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        return options;
    }

    /** One layer's session and input; closing it releases both. */
    private final class Prepared implements PreparedLayer {
        private final OrtSession session;
        private final OnnxTensor input;
        private final Tensor output;

        Prepared(Workload workload) throws OrtException {
            byte[] model = OnnxConvModel.build(workload.convLayers(), workload.input().shape());
            try (OrtSession.SessionOptions options = options()) {
                session = environment.createSession(model, options);
            }
            try {
                Tensor in = workload.input();
                input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(in.data()), toLongs(in.shape()));
                output = runOnce(workload.layer().outputShape());
            } catch (OrtException | RuntimeException e) {
                close();
                throw e;
            }
        }

        private Tensor runOnce(Shape shape) throws OrtException {
            try (OrtSession.Result result = session.run(Map.of(OnnxConvModel.INPUT, input))) {
                FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] data = new float[values.remaining()];
                values.get(data);
                return new Tensor(shape, data);
            }
        }

        @Override
        public Tensor output() {
            return output;
        }

        @Override
        public Map<String, TimedCall> modes() {
            return Map.of(HostBackendTarget.HOST_MODE, () -> {
                try (OrtSession.Result ignored = session.run(Map.of(OnnxConvModel.INPUT, input))) {
                    return TimedCall.NO_DEVICE_TIME;
                } catch (OrtException e) {
                    throw new BackendException("ONNX Runtime failed: " + e.getMessage(), e);
                }
            });
        }

        @Override
        public void close() {
            if (input != null) {
                input.close();
            }
            try {
                session.close();
            } catch (OrtException e) {
                throw new BackendException("closing an ONNX Runtime session failed: " + e.getMessage(), e);
            }
        }
    }

    private static long[] toLongs(Shape shape) {
        int[] dims = shape.toArray();
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }
}

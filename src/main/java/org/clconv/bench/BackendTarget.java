package org.clconv.bench;

import java.util.Map;
import java.util.function.Supplier;
import org.clconv.ConvBackend;
import org.clconv.Tensor;

/**
 * What every clconv backend target shares: its name and description come from the backend, its ceilings
 * are measured once on first use (synchronized, since measuring twice would cost seconds and could disagree),
 * and closing the target closes the backend.
 */
abstract class BackendTarget<B extends ConvBackend> implements BenchTarget {
    protected final B backend;
    private final Supplier<Ceilings> ceilingsMeasurement;
    private Ceilings ceilings;

    BackendTarget(B backend, Supplier<Ceilings> ceilingsMeasurement) {
        this.backend = backend;
        this.ceilingsMeasurement = ceilingsMeasurement;
    }

    @Override
    public final String name() {
        return backend.name();
    }

    @Override
    public final String description() {
        return backend.deviceDescription();
    }

    @Override
    public final synchronized Ceilings ceilings() {
        if (ceilings == null) {
            ceilings = ceilingsMeasurement.get();
        }
        return ceilings;
    }

    /**
     * The {@value HostBackendTarget#HOST_MODE} mode: the workload through the host API, no device time, into one
     * output tensor reused by every call -- as a service that keeps its buffers runs it, and as ONNX Runtime runs
     * into its arena -- so the JVM's zeroing of a new array is not timed.
     */
    final TimedCall hostCall(Workload workload) {
        Tensor output = Tensor.zeros(workload.layer().outputShape());
        return () -> {
            workload.runOn(backend, output);
            return TimedCall.NO_DEVICE_TIME;
        };
    }

    @Override
    public final void close() {
        backend.close();
    }

    /** A prepared layer whose {@code close} runs {@code release} (device copies to free, or nothing). */
    record Prepared(Tensor output, Map<String, TimedCall> modes, Runnable release) implements PreparedLayer {
        @Override
        public void close() {
            release.run();
        }
    }
}

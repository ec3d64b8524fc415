package org.clconv.bench;

import java.util.Map;
import java.util.function.Supplier;
import org.clconv.ConvBackend;
import org.clconv.Tensor;

/** Times a backend through its host API ({@code conv2d}/{@code separable} on host tensors): the CPU backend. */
public final class HostBackendTarget implements BenchTarget {
    /** The mode of a call with host tensors in and out. */
    public static final String HOST_MODE = "host";

    private final ConvBackend backend;
    private final Supplier<Ceilings> ceilingsMeasurement;
    private Ceilings ceilings;

    public HostBackendTarget(ConvBackend backend, Supplier<Ceilings> ceilingsMeasurement) {
        this.backend = backend;
        this.ceilingsMeasurement = ceilingsMeasurement;
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public String description() {
        return backend.deviceDescription();
    }

    @Override
    public synchronized Ceilings ceilings() {
        if (ceilings == null) {
            ceilings = ceilingsMeasurement.get();
        }
        return ceilings;
    }

    @Override
    public PreparedLayer prepare(Workload workload) {
        Tensor output = workload.runOn(backend);
        TimedCall call = () -> {
            workload.runOn(backend);
            return TimedCall.NO_DEVICE_TIME;
        };
        return new PreparedLayer() {
            @Override
            public Tensor output() {
                return output;
            }

            @Override
            public Map<String, TimedCall> modes() {
                return Map.of(HOST_MODE, call);
            }
        };
    }

    @Override
    public void close() {
        backend.close();
    }
}

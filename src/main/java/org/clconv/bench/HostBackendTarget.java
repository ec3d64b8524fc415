package org.clconv.bench;

import java.util.Map;
import java.util.function.Supplier;
import org.clconv.ConvBackend;
import org.clconv.Tensor;

/** Times a backend through its host API ({@code conv2d}/{@code separable} on host tensors): the CPU backend. */
public final class HostBackendTarget extends BackendTarget<ConvBackend> {
    /** The mode of a call with host tensors in and out. */
    public static final String HOST_MODE = "host";

    public HostBackendTarget(ConvBackend backend, Supplier<Ceilings> ceilingsMeasurement) {
        super(backend, ceilingsMeasurement);
    }

    @Override
    public PreparedLayer prepare(Workload workload) {
        Tensor output = workload.runOn(backend);
        return new Prepared(output, Map.of(HOST_MODE, hostCall(workload)), () -> { });
    }
}

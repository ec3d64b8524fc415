package org.clconv.bench;

/**
 * Something the bench times layers on: a clconv backend, or a peer runtime. It knows its own ceilings and
 * how to prepare a workload for timing (device-resident copies, compiled models).
 */
public interface BenchTarget extends AutoCloseable {
    /** The name in reports: {@code cpu}, {@code opencl}, {@code onnxruntime}. */
    String name();

    /** The device and runtime, for humans. */
    String description();

    /** Measured once per target, on first use. */
    Ceilings ceilings();

    /**
     * For targets whose kernels take tuned schedules: {@code "tuned"}, {@code "default"} or {@code "tuned k/n"}
     * (stages) for this layer; {@code null} where schedules do not apply.
     */
    default String scheduleOf(BenchLayer layer) {
        return null;
    }

    /** Runs the workload once (its output is checked against the other targets') and readies the timed calls. */
    PreparedLayer prepare(Workload workload);

    @Override
    void close();
}

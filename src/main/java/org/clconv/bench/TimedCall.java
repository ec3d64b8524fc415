package org.clconv.bench;

/** One call of the code under measurement; the sampler times its wall clock. */
@FunctionalInterface
public interface TimedCall {
    /** Returned by a call that has no device timer of its own. */
    long NO_DEVICE_TIME = -1;

    /** Runs once and returns the device's own time for the work in nanoseconds, or {@link #NO_DEVICE_TIME}. */
    long run();
}

package org.clconv.bench;

import java.util.Arrays;

/** Runs a {@link TimedCall} under a {@link TimingPolicy}: warm-up first, then timed samples. */
public final class Sampler {
    /** The warm-up may run this many times the policy's warm-up time while calls keep getting faster. */
    static final long SETTLE_FACTOR = 4;
    static final int SETTLE_WINDOW = 10;
    static final double SETTLED_RATIO = 0.9;

    private final TimingPolicy policy;

    public Sampler(TimingPolicy policy) {
        this.policy = policy;
    }

    public Measurement measure(TimedCall call) {
        warmUp(call);
        long minNs = policy.minTime().toNanos();
        long maxNs = policy.maxTime().toNanos();
        long[] wall = new long[Math.max(policy.repeats(), 16)];
        long[] device = new long[wall.length];
        int n = 0;
        long start = System.nanoTime();
        while (true) {
            if (n == wall.length) {
                wall = Arrays.copyOf(wall, 2 * n);
                device = Arrays.copyOf(device, 2 * n);
            }
            long t0 = System.nanoTime();
            device[n] = call.run();
            long t1 = System.nanoTime();
            wall[n++] = t1 - t0;
            long elapsed = t1 - start;
            boolean enough = n >= policy.repeats() && elapsed >= minNs;
            boolean outOfTime = n >= TimingPolicy.MIN_SAMPLES && elapsed >= maxNs;
            if (enough || outOfTime) {
                break;
            }
        }
        return new Measurement(Stats.of(Arrays.copyOf(wall, n)), deviceStats(Arrays.copyOf(device, n)));
    }

    /**
     * At least {@link TimingPolicy#MIN_WARMUP_CALLS} calls and the policy's warm-up time; then, for up to
     * {@link #SETTLE_FACTOR} times that warm-up, more calls while they are still getting faster (median of the last
     * {@link #SETTLE_WINDOW} calls below {@link #SETTLED_RATIO} of the window before). A fixed warm-up alone timed
     * JIT artefacts: on a loaded machine C2 may finish the hot loops only seconds into a run, and the first passes
     * over fresh heap pages pay page faults.
     */
    private void warmUp(TimedCall call) {
        long warmupNs = policy.warmup().toNanos();
        long settleNs = Math.min(policy.maxTime().toNanos(), SETTLE_FACTOR * warmupNs);
        long maxNs = policy.maxTime().toNanos();
        long[] recent = new long[2 * SETTLE_WINDOW];
        long start = System.nanoTime();
        int calls = 0;
        long elapsed = 0;
        while ((calls < TimingPolicy.MIN_WARMUP_CALLS || elapsed < warmupNs
                || (elapsed < settleNs && stillImproving(recent, calls))) && (calls == 0 || elapsed < maxNs)) {
            long t0 = System.nanoTime();
            call.run();
            long t1 = System.nanoTime();
            recent[calls++ % recent.length] = t1 - t0;
            elapsed = t1 - start;
        }
    }

    private static boolean stillImproving(long[] recent, int calls) {
        if (calls < recent.length) {
            return true;
        }
        long[] last = new long[SETTLE_WINDOW];
        long[] before = new long[SETTLE_WINDOW];
        for (int i = 0; i < SETTLE_WINDOW; i++) {
            last[i] = recent[(calls - 1 - i) % recent.length];
            before[i] = recent[(calls - 1 - SETTLE_WINDOW - i) % recent.length];
        }
        Arrays.sort(last);
        Arrays.sort(before);
        return last[SETTLE_WINDOW / 2] < SETTLED_RATIO * before[SETTLE_WINDOW / 2];
    }

    private static Stats deviceStats(long[] device) {
        boolean timed = Arrays.stream(device).allMatch(ns -> ns != TimedCall.NO_DEVICE_TIME);
        return timed ? Stats.of(device) : null;
    }

    /** The wall-clock summary, and the device-timer one when the call reported device times. */
    public record Measurement(Stats wall, Stats device) {
        public boolean hasDeviceTime() {
            return device != null;
        }
    }
}

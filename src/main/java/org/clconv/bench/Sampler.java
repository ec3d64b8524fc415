package org.clconv.bench;

import java.util.Arrays;

/** Runs a {@link TimedCall} under a {@link TimingPolicy}: warm-up first, then timed samples. */
public final class Sampler {
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

    private void warmUp(TimedCall call) {
        long warmupNs = policy.warmup().toNanos();
        long maxNs = policy.maxTime().toNanos();
        long start = System.nanoTime();
        int calls = 0;
        long elapsed = 0;
        while ((calls < TimingPolicy.MIN_WARMUP_CALLS || elapsed < warmupNs) && (calls == 0 || elapsed < maxNs)) {
            call.run();
            calls++;
            elapsed = System.nanoTime() - start;
        }
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

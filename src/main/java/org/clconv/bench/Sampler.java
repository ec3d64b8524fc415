package org.clconv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs {@link TimedCall}s under a {@link TimingPolicy}: warm-up first, then timed samples. */
public final class Sampler {
    /** The warm-up may run this many times the policy's warm-up time while calls keep getting faster. */
    static final long SETTLE_FACTOR = 4;
    static final int SETTLE_WINDOW = 10;
    static final double SETTLED_RATIO = 0.9;
    /** Turns each call takes in {@link #measureInterleaved}'s minimum time. */
    static final int ROUNDS = 10;
    /**
     * The shortest turn (unless the call is done sooner): the first call after a switch runs on cold caches and
     * parked worker threads (res3x3 on the CPU backend: 2.8-3.1 ms against a 1.35-1.5 ms median), which a turn
     * of this length leaves out of the median even with a short --min-time.
     */
    static final long MIN_TURN_NANOS = 20_000_000;
    /**
     * The idle gap before a turn that follows another call's: long enough for the threads of the call before to
     * stop spinning and park. ONNX Runtime's intra-op pool spins about 25 ms after its last call (40 bursts of its
     * calls: 1.0 s more CPU than with spinning off), and a CPU-backend call in that time shares the cores with it:
     * on 2 cores, interleaved with ONNX Runtime in 30 ms turns, ASPP's dilation 6 took 3.95 ms +- 38% against
     * 2.95 +- 7% in 300 ms turns; with this gap, 3.48 +- 7% in 30 ms turns. Every call gets the same gap, so each is
     * timed on a quiet machine, as it would run on its own, and the threads' wake-up falls on a turn's first call.
     */
    static final long QUIET_NANOS = 50_000_000;

    private final TimingPolicy policy;

    public Sampler(TimingPolicy policy) {
        this.policy = policy;
    }

    /** {@link #measureInterleaved} of one call; what the call throws comes out as it is. */
    public Measurement measure(TimedCall call) {
        try {
            return measureInterleaved(List.of(call)).get(0);
        } catch (CallFailedException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    /**
     * Times several calls under the same conditions: each is warmed up, then they take turns, each turn a slice of
     * 1/{@link #ROUNDS} of the policy's minimum time (at least {@link #MIN_TURN_NANOS} and one call, and no longer
     * than the call needs to be done) after {@link #QUIET_NANOS} idle where it follows another call's turn, the
     * order reversed every round, until every call has its samples or is out of time. A shared machine's slow
     * spells then fall on all of them alike rather than on whichever was being timed, so their medians compare as
     * ratios (timed one after the other, clconv's CPU backend took 0.87 of ONNX Runtime's time on mb_pw64_128 in
     * one run and 1.48 in the next, on the same code). Returns one measurement per call, in order.
     */
    public List<Measurement> measureInterleaved(List<TimedCall> calls) {
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            try {
                warmUp(calls.get(i));
            } catch (RuntimeException e) {
                throw new CallFailedException(i, e);
            }
            series.add(new Series(calls.get(i)));
        }
        long sliceNs = Math.max(MIN_TURN_NANOS, policy.minTime().toNanos() / ROUNDS);
        // the last call warmed up ran just before the first turn
        int previous = calls.size() - 1;
        for (int round = 0; !series.stream().allMatch(Series::done); round++) {
            for (int j = 0; j < series.size(); j++) {
                int i = round % 2 == 0 ? j : series.size() - 1 - j;
                if (series.get(i).done()) {
                    continue;
                }
                if (i != previous) {
                    quiet();
                }
                previous = i;
                try {
                    series.get(i).slice(sliceNs);
                } catch (RuntimeException e) {
                    throw new CallFailedException(i, e);
                }
            }
        }
        return series.stream().map(Series::measurement).toList();
    }

    /** Sleeps {@link #QUIET_NANOS}: the gap between two calls' turns. */
    private static void quiet() {
        try {
            Thread.sleep(QUIET_NANOS / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing", e);
        }
    }

    /** Thrown by {@link #measureInterleaved} when a call throws: which call (its index) and what it threw. */
    public static final class CallFailedException extends RuntimeException {
        private final int call;

        CallFailedException(int call, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.call = call;
        }

        public int call() {
            return call;
        }
    }

    /** One call's timed samples so far, taken a slice at a time. */
    private final class Series {
        private final TimedCall call;
        private long[] wall = new long[Math.max(policy.repeats(), 16)];
        private long[] device = new long[wall.length];
        private int n;
        private long elapsed;

        Series(TimedCall call) {
            this.call = call;
        }

        /** Enough samples and time, or out of time with the fewest samples a median needs. */
        boolean done() {
            boolean enough = n >= policy.repeats() && elapsed >= policy.minTime().toNanos();
            boolean outOfTime = n >= TimingPolicy.MIN_SAMPLES && elapsed >= policy.maxTime().toNanos();
            return enough || outOfTime;
        }

        /** Samples until done or {@code sliceNs} have passed, at least once unless already done. */
        void slice(long sliceNs) {
            long start = System.nanoTime();
            while (!done()) {
                if (n == wall.length) {
                    wall = Arrays.copyOf(wall, 2 * n);
                    device = Arrays.copyOf(device, 2 * n);
                }
                long t0 = System.nanoTime();
                device[n] = call.run();
                long t1 = System.nanoTime();
                wall[n++] = t1 - t0;
                elapsed += t1 - t0;
                if (t1 - start >= sliceNs) {
                    return;
                }
            }
        }

        Measurement measurement() {
            return new Measurement(Stats.of(Arrays.copyOf(wall, n)), deviceStats(Arrays.copyOf(device, n)));
        }
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

package org.clconv.bench;

import java.time.Duration;

/**
 * How long to measure one layer on one backend: warm-up calls (kernel builds, JIT compilation, caches of
 * packed weights) for at least {@code warmup} and two calls, longer while calls still get faster (see
 * {@link Sampler}); then timed calls until at least {@code repeats} samples and {@code minTime} of them;
 * {@code maxTime} bounds a very slow layer, which then stops after three samples. The CLI's defaults are in
 * {@code BenchOptions}.
 */
public record TimingPolicy(int repeats, Duration minTime, Duration warmup, Duration maxTime) {
    /** Fewest timed samples for a median and quartiles, even when {@code maxTime} has run out. */
    public static final int MIN_SAMPLES = 3;
    /** Warm-up runs at least this many calls: the first builds kernels and caches, the second runs with them. */
    static final int MIN_WARMUP_CALLS = 2;

    public TimingPolicy {
        if (repeats < MIN_SAMPLES) {
            throw new IllegalArgumentException("--repeats must be at least " + MIN_SAMPLES + ", got " + repeats);
        }
        if (minTime.isNegative() || warmup.isNegative()) {
            throw new IllegalArgumentException("--min-time and the warm-up must not be negative, got " + minTime
                    + " and " + warmup);
        }
        if (maxTime.compareTo(minTime) < 0) {
            throw new IllegalArgumentException("--max-time (" + maxTime + ") must not be below --min-time (" + minTime + ")");
        }
    }
}

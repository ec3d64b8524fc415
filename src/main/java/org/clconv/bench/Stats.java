package org.clconv.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The summary of timed samples (nanoseconds): the median, which one slow outlier (a GC, another process)
 * cannot move, and the spread as quartiles and extremes.
 */
public final class Stats {
    private final long[] sorted;

    private Stats(long[] sorted) {
        this.sorted = sorted;
    }

    public static Stats of(long[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples to summarise");
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new Stats(sorted);
    }

    public int count() {
        return sorted.length;
    }

    public double median() {
        return quantile(0.5);
    }

    public double q1() {
        return quantile(0.25);
    }

    public double q3() {
        return quantile(0.75);
    }

    public long min() {
        return sorted[0];
    }

    public long max() {
        return sorted[sorted.length - 1];
    }

    /** Half the interquartile range relative to the median: "median ± this" holds half the samples. */
    public double relativeSpread() {
        double median = median();
        return median == 0 ? 0 : (q3() - q1()) / 2 / median;
    }

    /** Linear interpolation between the closest ranks (numpy's default), so a median of an even count is the mean of the middle two. */
    double quantile(double q) {
        double rank = q * (sorted.length - 1);
        int lower = (int) Math.floor(rank);
        int upper = Math.min(lower + 1, sorted.length - 1);
        return sorted[lower] + (rank - lower) * (sorted[upper] - sorted[lower]);
    }

    /** Milliseconds, for the report. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("median_ms", median() / 1e6);
        out.put("q1_ms", q1() / 1e6);
        out.put("q3_ms", q3() / 1e6);
        out.put("min_ms", min() / 1e6);
        out.put("max_ms", max() / 1e6);
        out.put("spread_pct", 100 * relativeSpread());
        out.put("samples", count());
        return out;
    }
}

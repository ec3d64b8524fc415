package org.clconv.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer on one target: its timed modes, or why it has none (the target failed, or its output disagreed
 * with the reference target's, in which case it is not timed).
 *
 * <p>Two times matter: the <em>headline</em> time, the wall clock of the first mode, which is what a caller
 * waits and what peers are compared by; and the <em>kernel</em> time, the device timer of that mode where there
 * is one (else the wall clock), which the rates and the roofline use because the ceilings are measured the
 * same way.
 */
public final class LayerResult {
    private final BenchLayer layer;
    private final BenchTarget target;
    private final List<ModeResult> modes;
    private final String referenceTarget;
    private final double relativeError;
    private final String error;

    private LayerResult(BenchLayer layer, BenchTarget target, List<ModeResult> modes, String referenceTarget,
            double relativeError, String error) {
        this.layer = layer;
        this.target = target;
        this.modes = List.copyOf(modes);
        this.referenceTarget = referenceTarget;
        this.relativeError = relativeError;
        this.error = error;
    }

    /**
     * A result that agreed with the reference, timed in {@code modes} (none when only checked);
     * {@code referenceTarget} is {@code null} when this target was the reference itself.
     */
    public static LayerResult measured(BenchLayer layer, BenchTarget target, List<ModeResult> modes,
            String referenceTarget, double relativeError) {
        return new LayerResult(layer, target, modes, referenceTarget, relativeError, null);
    }

    public static LayerResult failed(BenchLayer layer, BenchTarget target, String error) {
        return new LayerResult(layer, target, List.of(), null, Double.NaN, error);
    }

    public BenchLayer layer() {
        return layer;
    }

    public String targetName() {
        return target.name();
    }

    /** The target's name, with whether tuned or default kernel schedules ran where that applies. */
    public String targetLabel() {
        String schedule = target.scheduleOf(layer);
        return schedule == null ? target.name() : target.name() + " (" + schedule + ")";
    }

    public boolean ok() {
        return error == null;
    }

    /** Timed as well as checked. */
    public boolean isTimed() {
        return !modes.isEmpty();
    }

    /** The target whose output this one was checked against, or {@code null} when it was the reference. */
    public String referenceTarget() {
        return referenceTarget;
    }

    /** The relative L2 error against the reference target, or {@code null} when it was the reference. */
    public Double relativeError() {
        return referenceTarget == null ? null : relativeError;
    }

    /** Why there is no timing, or {@code null}. */
    public String error() {
        return error;
    }

    public List<ModeResult> modes() {
        return modes;
    }

    public ModeResult headlineMode() {
        requireTimed();
        return modes.get(0);
    }

    public double headlineSeconds() {
        return headlineMode().wall().median() * 1e-9;
    }

    public double kernelSeconds() {
        ModeResult m = headlineMode();
        return (m.device() != null ? m.device() : m.wall()).median() * 1e-9;
    }

    public double gflops() {
        return layer.flops() / kernelSeconds() * 1e-9;
    }

    public double gbytesPerSecond() {
        return layer.minimumBytes() / kernelSeconds() * 1e-9;
    }

    public Roofline roofline() {
        return Roofline.of(layer.flops(), layer.minimumBytes(), kernelSeconds(), target.ceilings());
    }

    private void requireTimed() {
        if (!isTimed()) {
            throw new IllegalStateException(layer.name() + " on " + target.name() + " has no timing"
                    + (ok() ? "" : ": " + error));
        }
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layer", layer.name());
        out.put("target", target.name());
        String schedule = target.scheduleOf(layer);
        if (schedule != null) {
            out.put("schedule", schedule);
        }
        if (!isTimed()) {
            out.put(ok() ? "relative_l2_error" : "error", ok() ? relativeError() : error);
            return out;
        }
        out.put("median_ms", headlineSeconds() * 1e3);
        out.put("kernel_ms", kernelSeconds() * 1e3);
        out.put("kernel_time_from", headlineMode().device() != null ? "device timer" : "wall clock");
        out.put("gflop_per_s", gflops());
        out.put("gb_per_s", gbytesPerSecond());
        out.put("roofline", roofline().toJson());
        out.put("checked_against", referenceTarget);
        out.put("relative_l2_error", relativeError());
        out.put("modes", modes.stream().map(ModeResult::toJson).toList());
        return out;
    }
}

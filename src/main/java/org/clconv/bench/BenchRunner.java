package org.clconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.clconv.Tensor;

/**
 * Runs a suite on several targets: measures every target's ceilings first (so that no measurement runs
 * while a layer is being timed), then, per layer, prepares it on every target, checks each output against
 * the first target that produced one, and times every mode of the targets that agree, all interleaved.
 */
public final class BenchRunner {
    private final Sampler sampler;
    private final long seed;
    private final Consumer<String> progress;

    /** {@code progress} receives one human-readable line per step (the CLI prints them on stderr). */
    public BenchRunner(TimingPolicy policy, long seed, Consumer<String> progress) {
        this.sampler = new Sampler(policy);
        this.seed = seed;
        this.progress = progress;
    }

    /** Times every layer on every target whose output agrees with the reference target's. */
    public List<LayerResult> run(Suite suite, List<? extends BenchTarget> targets) {
        for (BenchTarget target : targets) {
            progress.accept("measuring the ceilings of " + target.name() + " (" + target.description() + ")");
            Ceilings c = target.ceilings();
            progress.accept(String.format(Locale.ROOT, "  %s: copy %.1f GB/s, fp32 FMA %.1f GFLOP/s, ridge %.1f FLOP/B",
                    target.name(), c.bytesPerSecond() / 1e9, c.flopsPerSecond() / 1e9, c.ridgePoint()));
        }
        return runLayers(suite, targets, true);
    }

    /**
     * Only checks every target's output against the first target's, without timing: the conformance check of
     * a device ({@code bench --verify}). A result is ok when it agrees.
     */
    public List<LayerResult> verify(Suite suite, List<? extends BenchTarget> targets) {
        List<LayerResult> results = runLayers(suite, targets, false);
        for (LayerResult r : results) {
            if (r.ok() && r.relativeError() != null) {
                progress.accept(String.format(Locale.ROOT, "%s %s on %s: agrees with %s, relative L2 error %.2g",
                        r.layer(), r.layer().stages(), r.targetName(), r.referenceTarget(), r.relativeError()));
            }
        }
        return results;
    }

    private List<LayerResult> runLayers(Suite suite, List<? extends BenchTarget> targets, boolean timed) {
        List<LayerResult> results = new ArrayList<>();
        List<BenchLayer> layers = suite.layers();
        for (int i = 0; i < layers.size(); i++) {
            String step = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, layers.size(), layers.get(i).name());
            results.addAll(runLayer(layers.get(i), targets, step, timed));
        }
        return results;
    }

    /**
     * Prepares the layer on every target (all kept open), checks each output against the first target's, then
     * times the modes of every target that agrees, interleaved ({@link Sampler#measureInterleaved}).
     */
    private List<LayerResult> runLayer(BenchLayer layer, List<? extends BenchTarget> targets, String step,
            boolean timed) {
        Workload workload = layer.materialize(seed);
        List<PreparedLayer> open = new ArrayList<>();
        List<Agreed> agreed = new ArrayList<>();
        LayerResult[] results = new LayerResult[targets.size()];
        try {
            Tensor reference = null;
            String referenceName = null;
            for (int i = 0; i < targets.size(); i++) {
                BenchTarget target = targets.get(i);
                try {
                    PreparedLayer prepared = target.prepare(workload);
                    open.add(prepared);
                    if (reference == null) {
                        reference = prepared.output();
                        referenceName = target.name();
                        agreed.add(new Agreed(i, prepared, null, Double.NaN));
                        continue;
                    }
                    double error = OutputCheck.relativeL2(prepared.output(), reference);
                    if (OutputCheck.agrees(error)) {
                        agreed.add(new Agreed(i, prepared, referenceName, error));
                        continue;
                    }
                    results[i] = LayerResult.failed(layer, target, String.format(Locale.ROOT,
                            "output differs from %s's: relative L2 error %.3g > %.0e", referenceName, error,
                            OutputCheck.TOLERANCE));
                } catch (RuntimeException e) {
                    results[i] = failure(layer, target, e);
                }
                progress.accept(step + " on " + target.name() + ": FAILED: " + results[i].error());
            }
            if (timed) {
                time(layer, agreed, targets, step, results);
            } else {
                agreed.forEach(t -> results[t.target] = LayerResult.measured(layer, targets.get(t.target), List.of(),
                        t.referenceName, t.error));
            }
        } finally {
            open.forEach(PreparedLayer::close);
        }
        return List.of(results);
    }

    /** A target whose output agreed with the reference (or is it), still prepared for timing. */
    private record Agreed(int target, PreparedLayer prepared, String referenceName, double error) {
    }

    /**
     * Every mode of every agreeing target, timed interleaved, into results. A target whose call throws fails, and
     * the others are timed again without it.
     */
    private void time(BenchLayer layer, List<Agreed> agreed, List<? extends BenchTarget> targets, String step,
            LayerResult[] results) {
        List<Agreed> timing = new ArrayList<>(agreed);
        while (!timing.isEmpty()) {
            List<TimedCall> calls = new ArrayList<>();
            List<Agreed> owners = new ArrayList<>();
            for (Agreed t : timing) {
                calls.addAll(t.prepared.modes().values());
                t.prepared.modes().values().forEach(call -> owners.add(t));
            }
            try {
                report(layer, timing, targets, step, results, sampler.measureInterleaved(calls));
                return;
            } catch (Sampler.CallFailedException e) {
                Agreed failed = owners.get(e.call());
                results[failed.target] = failure(layer, targets.get(failed.target), (RuntimeException) e.getCause());
                progress.accept(step + " on " + targets.get(failed.target).name() + ": FAILED: "
                        + results[failed.target].error());
                timing.remove(failed);
            }
        }
    }

    private static LayerResult failure(BenchLayer layer, BenchTarget target, RuntimeException e) {
        return LayerResult.failed(layer, target, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** The measurements of every mode of the timed targets, in order, as their results and progress lines. */
    private void report(BenchLayer layer, List<Agreed> timed, List<? extends BenchTarget> targets, String step,
            LayerResult[] results, List<Sampler.Measurement> measured) {
        int next = 0;
        for (Agreed t : timed) {
            List<ModeResult> modes = new ArrayList<>();
            for (String mode : t.prepared.modes().keySet()) {
                Sampler.Measurement m = measured.get(next++);
                modes.add(new ModeResult(mode, m.wall(), m.device()));
                String device = m.hasDeviceTime()
                        ? String.format(Locale.ROOT, ", device %.3f ms", m.device().median() / 1e6) : "";
                progress.accept(String.format(Locale.ROOT, "%s on %s (%s): %.3f ms ± %.1f%%%s, %d samples", step,
                        targets.get(t.target).name(), mode, m.wall().median() / 1e6, 100 * m.wall().relativeSpread(),
                        device, m.wall().count()));
            }
            results[t.target] = LayerResult.measured(layer, targets.get(t.target), modes, t.referenceName, t.error);
        }
    }
}

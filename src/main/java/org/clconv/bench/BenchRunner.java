package org.clconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.clconv.Tensor;

/**
 * Runs a suite on several targets: measures every target's ceilings first (so that no measurement runs
 * while a layer is being timed), then, per layer, prepares it on every target, checks each output against
 * the first target that produced one, and times every mode of the targets that agree.
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

    private List<LayerResult> runLayer(BenchLayer layer, List<? extends BenchTarget> targets, String step,
            boolean timed) {
        Workload workload = layer.materialize(seed);
        List<LayerResult> results = new ArrayList<>();
        Tensor reference = null;
        String referenceName = null;
        for (BenchTarget target : targets) {
            LayerResult result;
            try (PreparedLayer prepared = target.prepare(workload)) {
                if (reference == null) {
                    reference = prepared.output();
                    referenceName = target.name();
                    result = LayerResult.measured(layer, target, timed ? time(prepared, step, target) : List.of(), null,
                            Double.NaN);
                } else {
                    double error = OutputCheck.relativeL2(prepared.output(), reference);
                    result = OutputCheck.agrees(error)
                            ? LayerResult.measured(layer, target, timed ? time(prepared, step, target) : List.of(),
                                    referenceName, error)
                            : LayerResult.failed(layer, target, String.format(Locale.ROOT,
                                    "output differs from %s's: relative L2 error %.3g > %.0e",
                                    referenceName, error, OutputCheck.TOLERANCE));
                }
            } catch (RuntimeException e) {
                result = LayerResult.failed(layer, target, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (!result.ok()) {
                progress.accept(step + " on " + target.name() + ": FAILED: " + result.error());
            }
            results.add(result);
        }
        return results;
    }

    private List<ModeResult> time(PreparedLayer prepared, String step, BenchTarget target) {
        List<ModeResult> modes = new ArrayList<>();
        for (Map.Entry<String, TimedCall> mode : prepared.modes().entrySet()) {
            Sampler.Measurement m = sampler.measure(mode.getValue());
            modes.add(new ModeResult(mode.getKey(), m.wall(), m.device()));
            String device = m.hasDeviceTime()
                    ? String.format(Locale.ROOT, ", device %.3f ms", m.device().median() / 1e6) : "";
            progress.accept(String.format(Locale.ROOT, "%s on %s (%s): %.3f ms ± %.1f%%%s, %d samples", step,
                    target.name(), mode.getKey(), m.wall().median() / 1e6, 100 * m.wall().relativeSpread(), device,
                    m.wall().count()));
        }
        return modes;
    }
}

package org.clconv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.clconv.ConvLayer;
import org.clconv.Tensor;
import org.clconv.bench.BenchLayer;
import org.clconv.bench.Suite;
import org.clconv.bench.Workload;
import org.clconv.cpu.CpuBackend;
import org.clconv.opencl.DeviceInfo;
import org.clconv.opencl.Devices;
import org.clconv.opencl.KernelParams;
import org.clconv.opencl.OpenClBackend;
import org.clconv.opencl.ScheduleTuner;
import org.clconv.opencl.TuningCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clconv tune}: searches the OpenCL kernels' schedule per layer shape of a suite on the current device,
 * checks every candidate's output against the CPU backend, and stores the fastest verified one in the device's
 * tuning cache, which the OpenCL backend reads at start-up.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Tunes the OpenCL kernels' tile and work-group sizes per layer shape on this device.",
            "Every candidate is checked against the CPU backend (relative L2 <= 1e-5) before it is timed; the",
            "winners go to the device's tuning cache (~/.cache/clconv/tuning-<device>.json, or -Dclconv.tuningCache",
            "/ CLCONV_TUNING_CACHE), which the OpenCL backend reads at start-up."})
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Mixin
    LayerSelection selection;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "7",
            description = "Timed rounds, each running every candidate once; the median ratio to the default's"
                    + " time in the same round ranks them, and the best few run a final of four times as many"
                    + " rounds (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--cache", paramLabel = "FILE", description = "The tuning cache to update (default: the device's).")
    Path cacheFile;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Suite suite = selection.suite();
        DeviceInfo info = Devices.select(selection.device());
        TuningCache cache = TuningCache.load(cacheFile != null ? cacheFile : TuningCache.defaultPath(info), info);
        try (OpenClBackend backend = new OpenClBackend(info, KernelParams.defaultsFor(info), cache);
             CpuBackend cpu = new CpuBackend()) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, repeats);
            out.println("| layer | stage | default ms | tuned ms | speed-up | candidates (rejected) | schedule |");
            out.println("| ----- | ----- | ---------- | -------- | -------- | --------------------- | -------- |");
            for (BenchLayer layer : suite.layers()) {
                Workload work = layer.materialize(selection.seed());
                Tensor input = work.input();
                List<ConvLayer> stages = work.convLayers();
                for (int i = 0; i < stages.size(); i++) {
                    err.println("tuning " + layer.name() + " stage " + (i + 1) + " of " + stages.size() + " ...");
                    ScheduleTuner.Result result = tuner.tune(stages.get(i), input);
                    out.println(row(layer.name(), i + 1, result));
                    out.flush();
                    if (result.winner() != null) {
                        cache.put(result.geometry(), result.winner());
                        cache.save();
                    }
                    input = cpu.conv2d(stages.get(i), input);
                }
            }
        }
        err.println("wrote " + cache.size() + " tuned layer shapes to " + cache.file());
        return 0;
    }

    private static String row(String layer, int stage, ScheduleTuner.Result r) {
        long rejected = r.trials().stream().filter(t -> !t.accepted()).count();
        ScheduleTuner.Trial best = r.winnerTrial();
        double defaultMillis = r.defaultTrial().millis();
        String schedule = best == null ? "none verified"
                : (r.geometry().spec().isDepthwise() ? best.params().depthwise() : best.params().gemm()).toString();
        return String.format(Locale.ROOT, "| %s | %d | %.3f | %s | %s | %d (%d) | %s |", layer, stage, defaultMillis,
                best == null ? "-" : String.format(Locale.ROOT, "%.3f", best.millis()),
                best == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.defaultTrial().relative() / best.relative()),
                r.trials().size(), rejected, schedule);
    }
}

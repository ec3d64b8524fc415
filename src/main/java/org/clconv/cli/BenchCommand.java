package org.clconv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.clconv.bench.BenchReport;
import org.clconv.bench.BenchRunner;
import org.clconv.bench.BenchTarget;
import org.clconv.bench.BenchTargets;
import org.clconv.bench.Json;
import org.clconv.bench.LayerResult;
import org.clconv.bench.MarkdownReport;
import org.clconv.bench.RandomLayers;
import org.clconv.bench.Suite;
import org.clconv.bench.Suites;
import org.clconv.bench.TimingPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clconv bench}: times a suite of layers on clconv's backends against each device's measured
 * ceilings. Progress goes to stderr, the markdown table to stdout, every number to {@code --json}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times a suite of convolution layers on clconv's backends: median and spread after a warm-up,",
            "GFLOP/s, GB/s over the minimum traffic, and the percentage of the device's measured copy-bandwidth",
            "and FMA ceilings. Outputs of several backends are checked against each other before timing."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--backend", split = ",", paramLabel = "NAME",
            description = "Backends to run, among ${COMPLETION-CANDIDATES} (default: every one that starts here).",
            completionCandidates = BackendNames.class)
    List<String> backends = new ArrayList<>();

    @Option(names = "--device", paramLabel = "DEVICE", description = "OpenCL device: an index or part of its name.")
    String device;

    @Option(names = "--suite", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "'default', 'gpu' (batch >= 64 for large GPUs) or a JSON suite file (default: ${DEFAULT-VALUE}).")
    String suiteName;

    @Option(names = "--layers", paramLabel = "PATTERNS",
            description = "Only the layers matching these comma-separated names ('*' is a wildcard), e.g. 'mb_dw*,aspp_*'.")
    String layers;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "10",
            description = "At least this many timed runs per layer and mode (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-time", paramLabel = "SECONDS", defaultValue = "1.0",
            description = "Keep timing until this much time has passed as well (default: ${DEFAULT-VALUE}).")
    double minTime;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0.5",
            description = "Untimed warm-up per layer and mode, at least two calls (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "20",
            description = "A layer slower than this stops after 3 timed runs (default: ${DEFAULT-VALUE}).")
    double maxTime;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads of the CPU backend and its ceilings (default: the available processors).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the random inputs and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every number to this JSON file.")
    Path json;

    @Option(names = "--verify", paramLabel = "N",
            description = "Instead of timing: check N random small layers on every backend against the CPU backend.")
    Integer verify;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        int cpuThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (cpuThreads < 1) {
            throw new InvalidInputException("--threads must be at least 1, got " + cpuThreads, null);
        }
        TimingPolicy policy;
        Suite suite;
        try {
            policy = policy();
            suite = verify != null ? new RandomLayers(seed).draw(verify) : loadSuite();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        List<String> names = verify != null ? withCpuFirst(backends) : backends;
        List<String> skipped = new ArrayList<>();
        List<BenchTarget> targets = BenchTargets.openAll(names, device, cpuThreads, skipped);
        try {
            skipped.forEach(reason -> err.println("skipping backend " + reason));
            BenchRunner runner = new BenchRunner(policy, seed, err::println);
            return verify != null ? verify(runner, suite, targets) : bench(runner, policy, suite, targets, cpuThreads);
        } finally {
            targets.forEach(BenchTarget::close);
        }
    }

    private int bench(BenchRunner runner, TimingPolicy policy, Suite suite, List<BenchTarget> targets, int cpuThreads)
            throws IOException {
        List<LayerResult> results = runner.run(suite, targets);
        BenchReport report = new BenchReport(suite, policy, seed, cpuThreads, targets, results);
        spec.commandLine().getOut().print(MarkdownReport.render(report));
        spec.commandLine().getOut().flush();
        if (json != null) {
            Files.writeString(json, Json.write(report.toJson()), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("wrote " + json);
        }
        return results.stream().allMatch(LayerResult::ok) ? 0 : Failures.RUNTIME;
    }

    private int verify(BenchRunner runner, Suite suite, List<BenchTarget> targets) {
        if (targets.size() < 2) {
            throw new InvalidInputException("--verify needs a backend besides the CPU backend to check against it", null);
        }
        List<LayerResult> results = runner.verify(suite, targets);
        long checked = results.stream().filter(r -> r.referenceTarget() != null).count();
        long failed = results.stream().filter(r -> !r.ok()).count();
        spec.commandLine().getOut().printf("conformance: %d of %d checks agree with the CPU backend%n",
                checked, checked + failed);
        return failed == 0 ? 0 : Failures.RUNTIME;
    }

    private Suite loadSuite() throws IOException {
        Suite suite = Suites.resolve(suiteName);
        return layers == null ? suite : suite.filter(layers);
    }

    private TimingPolicy policy() {
        return new TimingPolicy(repeats, seconds("--min-time", minTime), seconds("--warmup", warmup),
                seconds("--max-time", maxTime));
    }

    private static Duration seconds(String option, double value) {
        if (!(value >= 0) || value > 86_400) {
            throw new IllegalArgumentException(option + " must be between 0 and 86400 seconds, got " + value);
        }
        return Duration.ofNanos((long) (value * 1e9));
    }

    /** The CPU backend is the reference of a conformance check, so it runs first whether named or not. */
    private static List<String> withCpuFirst(List<String> names) {
        List<String> out = new ArrayList<>(List.of("cpu"));
        (names.isEmpty() ? BenchTargets.ALL : names).stream().filter(n -> !n.equalsIgnoreCase("cpu")).forEach(out::add);
        return out;
    }

    /** The backend names for the help text. */
    static final class BackendNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        BackendNames() {
            super(BenchTargets.ALL);
        }
    }
}

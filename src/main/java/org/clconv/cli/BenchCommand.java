package org.clconv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    @Mixin
    BenchOptions options;

    @Option(names = "--verify", paramLabel = "N",
            description = "Instead of timing: check N random small layers on every backend against the CPU backend.")
    Integer verify;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        TimingPolicy policy;
        Suite suite;
        int threads;
        try {
            policy = options.policy();
            threads = options.threads();
            suite = verify != null ? new RandomLayers(options.seed()).draw(verify) : options.suite();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        List<String> names = verify != null ? withCpuFirst(options.backends()) : options.backends();
        List<String> skipped = new ArrayList<>();
        List<BenchTarget> targets = BenchTargets.openAll(names, options.device(), threads, skipped);
        try {
            skipped.forEach(reason -> err.println("skipping backend " + reason));
            BenchRunner runner = new BenchRunner(policy, options.seed(), err::println);
            return verify != null ? verify(runner, suite, targets) : bench(runner, policy, suite, targets, threads);
        } finally {
            targets.forEach(BenchTarget::close);
        }
    }

    private int bench(BenchRunner runner, TimingPolicy policy, Suite suite, List<BenchTarget> targets, int cpuThreads)
            throws IOException {
        List<LayerResult> results = runner.run(suite, targets);
        BenchReport report = new BenchReport(suite, policy, options.seed(), cpuThreads, targets, results);
        spec.commandLine().getOut().print(MarkdownReport.render(report));
        spec.commandLine().getOut().flush();
        if (options.json() != null) {
            Files.writeString(options.json(), Json.write(report.toJson()), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("wrote " + options.json());
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

    /** The CPU backend is the reference of a conformance check, so it runs first whether named or not. */
    private static List<String> withCpuFirst(List<String> names) {
        List<String> out = new ArrayList<>(List.of("cpu"));
        (names.isEmpty() ? BenchTargets.ALL : names).stream().filter(n -> !n.equalsIgnoreCase("cpu")).forEach(out::add);
        return out;
    }
}

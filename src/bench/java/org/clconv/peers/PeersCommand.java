package org.clconv.peers;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.clconv.bench.BenchLayer;
import org.clconv.bench.BenchReport;
import org.clconv.bench.BenchRunner;
import org.clconv.bench.BenchTarget;
import org.clconv.bench.BenchTargets;
import org.clconv.bench.Ceilings;
import org.clconv.bench.CpuCeilings;
import org.clconv.bench.Json;
import org.clconv.bench.LayerResult;
import org.clconv.bench.MarkdownReport;
import org.clconv.bench.PeerComparison;
import org.clconv.bench.Suite;
import org.clconv.cli.BenchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The side-by-side run of {@code scripts/bench-peers.sh}: one suite, in one run, through clconv's backends,
 * ONNX Runtime (in this JVM) and PyTorch on the CPU (a child process, after every Java timing so the two never
 * compete for cores; the script raises glibc's malloc thresholds so PyTorch reuses its buffers). PyTorch
 * receives the very tensors clconv used, as .npy files, and checks its output against clconv's before timing;
 * ONNX Runtime is checked in process. Prints clconv's roofline table, then the ratio table against the best
 * peer per layer with geometric means.
 */
@Command(name = "bench-peers", mixinStandardHelpOptions = true,
        description = "Times the suite on clconv's backends, ONNX Runtime (Java) and PyTorch (CPU), side by side.")
public final class PeersCommand implements Callable<Integer> {
    static final String ORT = "onnxruntime";
    static final String TORCH = "pytorch";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions options;

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "/usr/bin/python3",
            description = "The Python with PyTorch (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--torch-script", paramLabel = "PATH", defaultValue = "scripts/torch_peer.py",
            description = "The PyTorch peer (default: ${DEFAULT-VALUE}).")
    Path torchScript;

    @Option(names = "--keep-files", paramLabel = "DIR",
            description = "Write the exchanged .npy files here and keep them (default: a temporary folder, deleted).")
    Path keepFiles;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PeersCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Suite suite = options.suite();
        int threads = options.threads();
        List<String> skipped = new ArrayList<>();
        List<BenchTarget> clconv = BenchTargets.openAll(options.backends(), options.device(), threads, skipped);
        skipped.forEach(reason -> err.println("skipping backend " + reason));
        List<BenchTarget> targets = new ArrayList<>(clconv);
        targets.add(new OnnxRuntimeTarget(threads, cpuCeilings(clconv, threads)));
        try {
            BenchRunner runner = new BenchRunner(options.policy(), options.seed(), err::println);
            List<LayerResult> results = runner.run(suite, targets);
            BenchReport report = new BenchReport(suite, options.policy(), options.seed(), threads, targets, results);
            Path dir = keepFiles != null ? Files.createDirectories(keepFiles) : Files.createTempDirectory("clconv-peers");
            try {
                Path manifest = new TensorExchange(dir, options.seed()).write(suite, clconv.get(0));
                Map<String, Object> torch = runTorch(manifest, dir.resolve("pytorch.json"), threads);
                PeerComparison comparison = compare(suite, clconv, results, torch);
                PrintWriter out = spec.commandLine().getOut();
                out.println(MarkdownReport.render(report));
                out.println("## clconv / best peer\n\nPeers: " + TORCH + " = PyTorch " + torch.get("torch") + ", "
                        + torch.get("description") + "; " + ORT + " = " + targets.get(targets.size() - 1).description()
                        + ". Times are medians of the wall clock of one call: clconv's into an output tensor reused"
                        + " across calls, ONNX Runtime's into its arena, PyTorch's into a tensor from its allocator."
                        + " clconv's backends and ONNX Runtime take turns within each layer; PyTorch runs after them,"
                        + " in its own process.\n");
                out.print(comparison.markdown());
                out.flush();
                writeJson(report, torch, comparison);
                boolean allOk = results.stream().allMatch(LayerResult::ok)
                        && ((List<?>) torch.get("layers")).stream().allMatch(l -> ((Map<?, ?>) l).containsKey("median_ms"));
                return allOk ? 0 : 1;
            } finally {
                if (keepFiles == null) {
                    deleteTree(dir);
                }
            }
        } finally {
            targets.forEach(BenchTarget::close);
        }
    }

    /** The CPU target's ceilings when clconv's CPU backend runs (measured once for both), else measured here. */
    private static Supplier<Ceilings> cpuCeilings(List<BenchTarget> clconv, int threads) {
        BenchTarget cpu = clconv.stream().filter(t -> t.name().equals("cpu")).findFirst().orElse(null);
        if (cpu != null) {
            return cpu::ceilings;
        }
        Ceilings[] measured = new Ceilings[1];
        return () -> {
            if (measured[0] == null) {
                measured[0] = CpuCeilings.measure(threads);
            }
            return measured[0];
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> runTorch(Path manifest, Path json, int threads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, torchScript.toString(), "--manifest", manifest.toString(),
                "--device", "cpu", "--threads", Integer.toString(threads), "--json", json.toString()));
        command.addAll(options.timingArguments());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        int code = builder.start().waitFor();
        if (!Files.exists(json)) {
            throw new IOException("the PyTorch peer (" + String.join(" ", command) + ") exited with " + code
                    + " and wrote no results");
        }
        return (Map<String, Object>) Json.parse(Files.readString(json, StandardCharsets.UTF_8));
    }

    private static PeerComparison compare(Suite suite, List<BenchTarget> clconv, List<LayerResult> results,
            Map<String, Object> torch) {
        List<String> layers = suite.layers().stream().map(BenchLayer::name).toList();
        PeerComparison c = new PeerComparison(layers, clconv.stream().map(BenchTarget::name).toList(), List.of(ORT, TORCH));
        for (LayerResult r : results) {
            if (r.isTimed()) {
                c.put(r.layer().name(), r.targetName(), r.headlineSeconds());
            } else {
                c.fail(r.layer().name(), r.targetName(), r.error());
            }
        }
        for (Object o : (List<?>) torch.get("layers")) {
            Map<?, ?> layer = (Map<?, ?>) o;
            String name = (String) layer.get("name");
            if (layer.containsKey("median_ms")) {
                c.put(name, TORCH, ((Double) layer.get("median_ms")) / 1e3);
            } else {
                c.fail(name, TORCH, String.valueOf(layer.get("error")));
            }
        }
        return c;
    }

    private void writeJson(BenchReport report, Map<String, Object> torch, PeerComparison comparison) throws IOException {
        if (options.json() == null) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("comparison", comparison.toJson());
        out.put("clconv_and_onnxruntime", report.toJson());
        out.put("pytorch", torch);
        Files.writeString(options.json(), Json.write(out), StandardCharsets.UTF_8);
        spec.commandLine().getErr().println("wrote " + options.json());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

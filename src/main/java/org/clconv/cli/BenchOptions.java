package org.clconv.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.clconv.bench.BenchTargets;
import org.clconv.bench.Suite;
import org.clconv.bench.TimingPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every benchmark command shares ({@code clconv bench} and the peers comparison): which backends,
 * which layers ({@link LayerSelection}), how long to time them. Invalid timing or thread values throw
 * {@link IllegalArgumentException} naming the option.
 */
public final class BenchOptions {
    @Option(names = "--backend", split = ",", paramLabel = "NAME",
            description = "clconv backends to run, among ${COMPLETION-CANDIDATES} (default: every one that starts here).",
            completionCandidates = BackendNames.class)
    List<String> backends = new ArrayList<>();

    @Mixin
    LayerSelection selection;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "10",
            description = "At least this many timed runs per layer and mode (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-time", paramLabel = "SECONDS", defaultValue = "1.0",
            description = "Keep timing until this much time has passed as well (default: ${DEFAULT-VALUE}).")
    double minTime;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
            description = "Untimed warm-up per layer and mode, at least two calls, then up to 4x longer while calls"
                    + " still get faster (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "20",
            description = "A layer slower than this stops after 3 timed runs (default: ${DEFAULT-VALUE}).")
    double maxTime;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads of the CPU backend, its ceilings and the CPU peers (default: the available processors).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every number to this JSON file.")
    Path json;

    public List<String> backends() {
        return List.copyOf(backends);
    }

    public String device() {
        return selection.device();
    }

    public long seed() {
        return selection.seed();
    }

    /** The JSON output file, or {@code null}. */
    public Path json() {
        return json;
    }

    public int threads() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + n);
        }
        return n;
    }

    /** The suite, filtered by {@code --layers}: see {@link LayerSelection#suite()}. */
    public Suite suite() throws IOException {
        return selection.suite();
    }

    public TimingPolicy policy() {
        return new TimingPolicy(repeats, seconds("--min-time", minTime), seconds("--warmup", warmup),
                seconds("--max-time", maxTime));
    }

    /** The timing options as command-line arguments, for a peer in another process to time the same way. */
    public List<String> timingArguments() {
        return List.of("--repeats", Integer.toString(repeats), "--min-time", Double.toString(minTime),
                "--warmup", Double.toString(warmup), "--max-time", Double.toString(maxTime));
    }

    private static Duration seconds(String option, double value) {
        if (!(value >= 0) || value > 86_400) {
            throw new IllegalArgumentException(option + " must be between 0 and 86400 seconds, got " + value);
        }
        return Duration.ofNanos((long) (value * 1e9));
    }

    /** The backend names for the help text. */
    static final class BackendNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        BackendNames() {
            super(BenchTargets.ALL);
        }
    }
}

package org.clconv.cli;

import java.io.IOException;
import org.clconv.bench.Suite;
import org.clconv.bench.Suites;
import picocli.CommandLine.Option;

/**
 * Which layers a command runs and where: the options that {@code clconv bench} (through {@link BenchOptions}),
 * the peers comparison and {@code clconv tune} share, so that a suite and layer pattern mean the same in all.
 */
public final class LayerSelection {
    @Option(names = "--device", paramLabel = "DEVICE", description = "OpenCL device: an index or part of its name.")
    String device;

    @Option(names = "--suite", paramLabel = "NAME|FILE", defaultValue = "default",
            description = "'default', 'gpu' (batch >= 64 for large GPUs), 'models' (layers of other networks) or a "
                    + "JSON suite file (default: ${DEFAULT-VALUE}).")
    String suiteName;

    @Option(names = "--layers", paramLabel = "PATTERNS",
            description = "Only the layers matching these comma-separated names ('*' is a wildcard), e.g. 'mb_dw*,aspp_*'.")
    String layers;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the random inputs and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The OpenCL device option, or {@code null}. */
    public String device() {
        return device;
    }

    public long seed() {
        return seed;
    }

    /**
     * The suite, filtered by {@code --layers}; an unknown suite or a pattern matching nothing is invalid input
     * (exit code 2), not a runtime failure.
     */
    public Suite suite() throws IOException {
        try {
            Suite suite = Suites.resolve(suiteName);
            return layers == null ? suite : suite.filter(layers);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }
}

package org.clconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.clconv.RandomConvs.ConvCase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Randomised conformance of every backend against the float64 {@link Reference}: hundreds of valid
 * configurations covering every kernel/stride/dilation/padding form/padding mode/groups/bias/activation
 * combination (see {@link RandomConvs}), each checked for its output shape and a relative L2 error of at
 * most 1e-5 (with {@link Agreement}'s floor for results that cancel to almost nothing).
 *
 * <p>The seed is printed and can be fixed with {@code -Dclconv.seed=...}; every failure prints the full
 * configuration. {@code -Dclconv.conformance.count=N} raises the number of cases for long runs: this is the
 * fuzzer (e.g. {@code -Dtest=ConformanceTest -Dclconv.conformance.count=30000}), {@code mvn test} its short slice.
 */
class ConformanceTest {
    private static final long SEED = Long.getLong("clconv.seed", System.nanoTime());
    private static final int CASES = Integer.getInteger("clconv.conformance.count", 300);
    private static final int SEPARABLE_CASES = Math.max(1, CASES / 6);
    private static final int CORNER_CASES = Math.max(1, CASES / 10);
    /** Failures listed in full in the report; the rest are counted. */
    private static final int FAILURES_SHOWN = 10;

    @BeforeAll
    static void announceSeed() {
        // Printed so a failing run can be reproduced exactly.
        System.out.println("ConformanceTest: seed " + SEED + " (rerun with -Dclconv.seed=" + SEED + "), " + CASES
                + " convolutions, " + CORNER_CASES + " corner cases and " + SEPARABLE_CASES
                + " separable blocks per backend");
    }

    /** The generator's own pads and output shapes must agree with the contract's, before any backend runs. */
    @Test
    void contractResolvesPadsAndShapesLikePyTorch() {
        RandomConvs random = new RandomConvs(SEED);
        RandomConvs corners = new RandomConvs(SEED ^ 0x5eed);
        for (int i = 0; i < CASES + CORNER_CASES; i++) {
            ConvCase c = i < CASES ? random.next() : corners.nextCorner();
            Conv2d s = c.spec();
            assertArrayEquals(c.expectedPads(), new int[] {s.padTop(), s.padBottom(), s.padLeft(), s.padRight()},
                    () -> "pads of " + c.describe() + reproduce());
            assertEquals(c.expectedOutput(), s.bind(c.input()).outputShape(),
                    () -> "output shape of " + c.describe() + reproduce());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void conv2dMatchesReference(String backendName) {
        ConvBackend backend = TestBackends.get(backendName);
        RandomConvs random = new RandomConvs(SEED);
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            checks.add(conv2dCheck(backend, random.next()));
        }
        runAll(backendName, checks);
    }

    private static Check conv2dCheck(ConvBackend backend, ConvCase c) {
        return new Check(c.describe(), () -> {
            ConvLayer layer = c.layer();
            Tensor input = c.inputTensor();
            return Agreement.mismatch(backend.conv2d(layer, input), c.expectedOutput(),
                    Reference.conv2d(layer, input), Agreement.termMagnitude(layer, input));
        });
    }

    /**
     * The corners of {@link RandomConvs#nextCorner()} (1x1 inputs, kernel filling the input, strides beyond the
     * kernel, one channel, multipliers up to 32), a tenth as many as the general cases (each corner on OpenCL
     * tends to need its own program build).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void cornersMatchReference(String backendName) {
        ConvBackend backend = TestBackends.get(backendName);
        RandomConvs random = new RandomConvs(SEED ^ 0x5eed);
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < CORNER_CASES; i++) {
            checks.add(conv2dCheck(backend, random.nextCorner()));
        }
        runAll(backendName, checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void separableMatchesReference(String backendName) {
        ConvBackend backend = TestBackends.get(backendName);
        // A different stream from the conv2d cases, still fixed by the one seed.
        RandomConvs random = new RandomConvs(~SEED);
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < SEPARABLE_CASES; i++) {
            ConvCase[] pair = random.nextSeparable();
            ConvCase dw = pair[0];
            ConvCase pw = pair[1];
            String description = "separable block: depthwise " + dw.describe() + " then pointwise " + pw.describe();
            checks.add(new Check(description, () -> {
                SeparableBlock block = new SeparableBlock(dw.layer(), pw.layer());
                Tensor input = dw.inputTensor();
                return Agreement.mismatch(backend.separable(block, input), pw.expectedOutput(),
                        Reference.separable(block, input), Agreement.termMagnitude(block, input));
            }));
        }
        runAll(backendName, checks);
    }

    /** Runs every check, so one report lists all failing configurations (the first few in full). */
    private static void runAll(String backendName, List<Check> checks) {
        List<String> failures = new ArrayList<>();
        Throwable firstException = null;
        for (Check check : checks) {
            String problem;
            try {
                problem = check.run().get();
            } catch (RuntimeException | AssertionError e) {
                problem = "threw " + e;
                firstException = firstException == null ? e : firstException;
            }
            if (problem != null) {
                failures.add(problem + "\n    for " + check.description());
            }
        }
        if (!failures.isEmpty()) {
            String shown = String.join("\n  ", failures.subList(0, Math.min(FAILURES_SHOWN, failures.size())));
            throw new AssertionFailedError(backendName + ": " + failures.size() + " of " + checks.size()
                    + " configurations disagree with the reference" + reproduce() + ":\n  " + shown, firstException);
        }
    }

    private static String reproduce() {
        return " [seed " + SEED + ": rerun with -Dclconv.seed=" + SEED + "]";
    }

    /** One configuration to run: its description and a function returning why it failed, or null. */
    private record Check(String description, Supplier<String> run) {
    }
}

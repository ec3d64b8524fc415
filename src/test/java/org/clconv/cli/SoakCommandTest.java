package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clconv.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The short version of the soak ({@code clconv soak} with small counts): every result bit-identical from 16
 * threads, and on OpenCL the live device buffers back at their warm-up baseline at the end and zero after the
 * backend closed. Heap and RSS are not judged here: so short a run is still growing the heap into its working
 * size (the long soak judges them after a warm-up of 10,000 calls).
 */
class SoakCommandTest {
    private static final Pattern ROW = Pattern.compile("(?m)^(after warm-up|end|after close)\\s+(?:\\d+\\s+\\d+\\s+)?(\\S+)");

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void shortSoakReturnsEveryBufferAndMatchesTheSingleThreadedResults(String backend) {
        TestBackends.get(backend);
        CliRun run = CliRun.of("soak", "--backend", backend, "--convs", "480", "--chains", "40", "--threads", "16",
                "--heap-tolerance", "100000", "--rss-tolerance", "100000");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("results: 0 of 520 convs and chains differ"), run.out());
        assertTrue(run.out().lines().anyMatch("soak: passed"::equals), run.out());
        Matcher rows = ROW.matcher(run.out());
        String[] live = new String[3];
        for (int i = 0; i < 3; i++) {
            assertTrue(rows.find(), run.out());
            live[i] = rows.group(2);
        }
        if (backend.equals("opencl")) {
            assertEquals(live[0], live[1], "live buffers at the end vs after warm-up\n" + run.out());
            assertEquals("0", live[2], "live buffers after close\n" + run.out());
        } else {
            assertEquals("n/a", live[2], run.out());
        }
    }

    @Test
    void negativeCountsAndTolerancesAreUsageErrors() {
        for (String[] bad : new String[][] {{"--convs", "0"}, {"--threads", "-2"}, {"--heap-tolerance", "-1"}}) {
            CliRun run = CliRun.of("soak", "--backend", "cpu", bad[0], bad[1]);
            assertEquals(2, run.exit(), run.err());
            assertEquals(1, run.errLines().size(), run.err());
        }
    }
}

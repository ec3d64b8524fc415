package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clconv.bench.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clconv bench} end to end on the CPU backend with a tiny suite file and the shortest timing: the
 * report's structure (every layer with its median, rates and roofline), never a time's value.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void jsonHoldsEveryLayerWithMedianRatesAndCeilings() throws IOException {
        Path suite = dir.resolve("tiny.json");
        Files.writeString(suite, "{\"name\": \"tiny\", \"layers\": ["
                + "{\"name\": \"dw\", \"input\": [1, 4, 12, 12], \"out_channels\": 4, \"kernel\": 3, \"padding\": 1, \"groups\": 4},"
                + "{\"name\": \"sep\", \"input\": [1, 4, 8, 8], \"separable\": ["
                + "{\"out_channels\": 4, \"kernel\": 3, \"padding\": 1, \"groups\": 4}, {\"out_channels\": 6}]}]}");
        Path json = dir.resolve("out.json");
        CliRun run = CliRun.of("bench", "--backend", "cpu", "--suite", suite.toString(), "--repeats", "3", "--min-time", "0",
                "--warmup", "0", "--threads", "1", "--json", json.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("| layer"), run.out());
        assertTrue(run.err().contains("[2/2] sep on cpu (host)"), run.err());

        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(json, StandardCharsets.UTF_8));
        Map<String, Object> ceilings = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) report.get("targets"))
                .get(0)).get("ceilings");
        assertTrue((Double) ceilings.get("copy_gb_per_s") > 0);
        assertTrue((Double) ceilings.get("fma_gflop_per_s") > 0);
        List<Object> layers = (List<Object>) report.get("layers");
        assertEquals(List.of("dw", "sep"), layers.stream().map(l -> ((Map<String, Object>) l).get("name")).toList());
        for (Object layer : layers) {
            Map<String, Object> result = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) layer).get("results")).get(0);
            assertEquals("cpu", result.get("target"));
            for (String key : List.of("median_ms", "gflop_per_s", "gb_per_s")) {
                assertTrue((Double) result.get(key) > 0, key + " in " + result);
            }
            Map<String, Object> roofline = (Map<String, Object>) result.get("roofline");
            assertNotNull(roofline.get("bound"));
            assertTrue((Double) roofline.get("pct_of_bandwidth") > 0);
            assertTrue((Double) roofline.get("pct_of_fma") > 0);
            assertEquals(3.0, ((Map<String, Object>) ((Map<String, Object>) ((List<Object>) result.get("modes")).get(0))
                    .get("wall")).get("samples"));
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun noSuite = CliRun.of("bench", "--suite", dir.resolve("missing.json").toString());
        assertEquals(Failures.USAGE, noSuite.exit());
        assertTrue(noSuite.err().startsWith("clconv: error: --suite must be"), noSuite.err());
        CliRun badFilter = CliRun.of("bench", "--layers", "nothing_*");
        assertEquals(Failures.USAGE, badFilter.exit());
        assertTrue(badFilter.err().contains("matches no layer"), badFilter.err());
        CliRun fewRepeats = CliRun.of("bench", "--repeats", "1");
        assertEquals(Failures.USAGE, fewRepeats.exit());
        assertTrue(fewRepeats.err().contains("--repeats must be at least 3"), fewRepeats.err());
        CliRun verifyCpuOnly = CliRun.of("bench", "--backend", "cpu", "--verify", "2");
        assertEquals(Failures.USAGE, verifyCpuOnly.exit());
    }
}

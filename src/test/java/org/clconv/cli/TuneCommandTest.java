package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clconv tune}'s layer selection is the one {@code clconv bench} uses: a missing suite or a pattern that
 * matches nothing is a usage error, reported before any device is opened (so this runs without OpenCL).
 */
class TuneCommandTest {
    @TempDir
    Path dir;

    @Test
    void badLayerSelectionIsAUsageErrorBeforeAnyDevice() {
        CliRun noSuite = CliRun.of("tune", "--suite", dir.resolve("missing.json").toString(), "--device", "no-such");
        assertEquals(Failures.USAGE, noSuite.exit(), noSuite.err());
        assertTrue(noSuite.err().startsWith("clconv: error: --suite must be"), noSuite.err());
        CliRun badFilter = CliRun.of("tune", "--layers", "nothing_*", "--device", "no-such");
        assertEquals(Failures.USAGE, badFilter.exit(), badFilter.err());
        assertTrue(badFilter.err().contains("matches no layer"), badFilter.err());
    }
}

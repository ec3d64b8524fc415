package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerComparisonTest {
    private PeerComparison comparison() {
        PeerComparison c = new PeerComparison(List.of("a", "b", "c"), List.of("cpu"), List.of("ort", "torch"));
        c.put("a", "cpu", 2.0);
        c.put("a", "ort", 4.0);
        c.put("a", "torch", 1.0);
        c.put("b", "cpu", 8.0);
        c.put("b", "ort", 2.0);
        c.fail("b", "torch", "output differs");
        c.put("c", "cpu", 1.0);
        return c;
    }

    @Test
    void ratioIsAgainstTheFastestPeer() {
        PeerComparison c = comparison();
        assertEquals(1.0, c.bestPeer("a").getAsDouble());
        assertEquals(2.0, c.ratio("a", "cpu").getAsDouble());
        assertEquals(4.0, c.ratio("b", "cpu").getAsDouble(), "a failed peer does not count as best");
        assertFalse(c.ratio("c", "cpu").isPresent(), "no peer ran c");
    }

    @Test
    void geometricMeanAndWorstCoverComparedLayersOnly() {
        PeerComparison c = comparison();
        assertEquals(Math.sqrt(2.0 * 4.0), c.geometricMean("cpu").getAsDouble(), 1e-12);
        assertEquals(4.0, c.worstRatio("cpu").getAsDouble());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) ((Map<String, Object>) c.toJson().get("summary")).get("cpu");
        assertEquals(2, summary.get("layers_compared"));
    }

    @Test
    void markdownListsTimesRatiosAndFailures() {
        String md = comparison().markdown();
        assertTrue(md.contains("| a "), md);
        assertTrue(md.contains("| 2000.000 "), md);
        assertTrue(md.contains("geometric mean"), md);
        assertTrue(md.contains("2.83"), md);
        assertTrue(md.contains("FAILED"), md);
        assertTrue(md.contains("b on torch: output differs"), md);
    }

    @Test
    void rejectsNonPositiveTimes() {
        assertThrows(IllegalArgumentException.class, () -> comparison().put("a", "cpu", 0));
    }
}

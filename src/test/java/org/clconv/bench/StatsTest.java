package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddCountIsTheMiddleSample() {
        Stats s = Stats.of(new long[] {50, 10, 40, 20, 30});
        assertEquals(30, s.median());
        assertEquals(20, s.q1());
        assertEquals(40, s.q3());
        assertEquals(10, s.min());
        assertEquals(50, s.max());
        assertEquals(5, s.count());
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(25, Stats.of(new long[] {40, 10, 30, 20}).median());
    }

    @Test
    void oneOutlierDoesNotMoveTheMedian() {
        Stats s = Stats.of(new long[] {100, 101, 99, 100, 1_000_000});
        assertEquals(100, s.median());
        assertEquals(1_000_000, s.max());
    }

    @Test
    void spreadIsHalfTheInterquartileRangeOverTheMedian() {
        // quartiles of 80..120 in steps of 10 are 90 and 110: half of 20 over a median of 100
        assertEquals(0.10, Stats.of(new long[] {80, 90, 100, 110, 120}).relativeSpread(), 1e-12);
        assertEquals(0.0, Stats.of(new long[] {7, 7, 7}).relativeSpread());
    }

    @Test
    void doesNotReorderTheCallersArray() {
        long[] samples = {3, 1, 2};
        Stats.of(samples);
        assertEquals(3, samples[0]);
    }

    @Test
    void rejectsNoSamples() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new long[0]));
    }
}

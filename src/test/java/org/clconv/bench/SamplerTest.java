package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void warmsUpTwiceThenTakesTheRepeats() {
        AtomicInteger calls = new AtomicInteger();
        Sampler.Measurement m = new Sampler(new TimingPolicy(5, Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
                .measure(() -> {
                    calls.incrementAndGet();
                    return TimedCall.NO_DEVICE_TIME;
                });
        assertEquals(TimingPolicy.MIN_WARMUP_CALLS + 5, calls.get());
        assertEquals(5, m.wall().count());
        assertFalse(m.hasDeviceTime());
    }

    @Test
    void keepsTheDeviceTimesAsReported() {
        AtomicInteger calls = new AtomicInteger();
        Sampler.Measurement m = new Sampler(new TimingPolicy(3, Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
                .measure(() -> 1000L * calls.incrementAndGet());
        assertTrue(m.hasDeviceTime());
        // warm-up returned 1000 and 2000; the timed calls 3000, 4000, 5000
        assertEquals(4000, m.device().median());
        assertEquals(3000, m.device().min());
    }

    @Test
    void aSlowLayerStopsAfterTheFewestSamplesOnceOutOfTime() {
        AtomicInteger calls = new AtomicInteger();
        new Sampler(new TimingPolicy(1000, Duration.ZERO, Duration.ZERO, Duration.ZERO)).measure(() -> {
            calls.incrementAndGet();
            return TimedCall.NO_DEVICE_TIME;
        });
        // with no time at all: one warm-up call, then the fewest samples a median needs
        assertEquals(1 + TimingPolicy.MIN_SAMPLES, calls.get());
    }

    @Test
    void policyRejectsTooFewRepeatsAndInvertedLimits() {
        assertThrows(IllegalArgumentException.class,
                () -> new TimingPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new TimingPolicy(5, Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(1)));
    }
}

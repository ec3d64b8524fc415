package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Two calls timed together take turns in slices (the order of the turns reversed every round), each gets the
     * policy's samples and time of its own, and a turn that follows the other call's starts after the quiet gap.
     */
    @Test
    void interleavedCallsTakeTurnsAndEachGetsItsSamplesAndTime() {
        List<Integer> order = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<List<Long>> spent = List.of(new ArrayList<>(), new ArrayList<>());
        List<TimedCall> calls = new ArrayList<>();
        for (int id = 0; id < 2; id++) {
            int me = id;
            calls.add(() -> {
                order.add(me);
                long start = System.nanoTime();
                while (System.nanoTime() < start + 100_000) {
                    Thread.onSpinWait();
                }
                long end = System.nanoTime();
                starts.add(start);
                ends.add(end);
                spent.get(me).add(end - start);
                return TimedCall.NO_DEVICE_TIME;
            });
        }
        // turns of a tenth of it: long enough for the shortest turn, so there are about ROUNDS of them
        Duration minTime = Duration.ofNanos(Sampler.ROUNDS * Sampler.MIN_TURN_NANOS);
        List<Sampler.Measurement> m = new Sampler(new TimingPolicy(5, minTime, Duration.ZERO, Duration.ofHours(1)))
                .measureInterleaved(calls);
        assertEquals(2, m.size());
        for (int id = 0; id < 2; id++) {
            assertTrue(m.get(id).wall().count() >= 5, "samples: " + m.get(id).wall().count());
            // the timed calls (after the two warm-up calls) took the minimum time (the sampler times a little more)
            long timedNs = spent.get(id).stream().skip(TimingPolicy.MIN_WARMUP_CALLS).mapToLong(Long::longValue).sum();
            assertTrue(timedNs >= 0.95 * minTime.toNanos(), "timed for " + timedNs + " ns");
            assertEquals(spent.get(id).size() - TimingPolicy.MIN_WARMUP_CALLS, m.get(id).wall().count());
        }
        // after the warm-up (2 calls each): turns A, B | B, A | A, B ... switch about once per round
        List<Integer> timed = order.subList(2 * TimingPolicy.MIN_WARMUP_CALLS, order.size());
        int switches = 0;
        for (int i = 1; i < timed.size(); i++) {
            boolean switched = !timed.get(i).equals(timed.get(i - 1));
            switches += switched ? 1 : 0;
            int at = 2 * TimingPolicy.MIN_WARMUP_CALLS + i;
            long gap = starts.get(at) - ends.get(at - 1);
            assertTrue(switched ? gap >= Sampler.QUIET_NANOS : gap < Sampler.QUIET_NANOS,
                    "gap " + gap + " ns at " + i);
        }
        assertTrue(switches >= Sampler.ROUNDS / 2 && switches <= 2 * Sampler.ROUNDS + 2, "switches: " + switches);
    }

    @Test
    void aCallThatThrowsWhileInterleavedIsNamedByItsIndex() {
        AtomicInteger calls = new AtomicInteger();
        TimedCall fine = () -> TimedCall.NO_DEVICE_TIME;
        TimedCall failing = () -> {
            if (calls.incrementAndGet() == 4) {
                throw new IllegalStateException("device lost");
            }
            return TimedCall.NO_DEVICE_TIME;
        };
        Sampler sampler = new Sampler(new TimingPolicy(10, Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        Sampler.CallFailedException e = assertThrows(Sampler.CallFailedException.class,
                () -> sampler.measureInterleaved(List.of(fine, failing)));
        assertEquals(1, e.call());
        assertEquals("device lost", e.getCause().getMessage());
        // one call on its own throws what the call threw
        calls.set(0);
        assertThrows(IllegalStateException.class, () -> sampler.measure(failing));
    }

    @Test
    void policyRejectsTooFewRepeatsAndInvertedLimits() {
        assertThrows(IllegalArgumentException.class,
                () -> new TimingPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new TimingPolicy(5, Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(1)));
    }
}

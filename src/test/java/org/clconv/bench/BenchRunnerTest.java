package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.clconv.Conv2d;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {
    private static final BenchLayer LAYER = BenchLayer.conv("dw", Shape.of(1, 2, 4, 4),
            Conv2d.builder(2, 2, 3).padding(1).groups(2).build());

    /** A target whose output is fixed, whose one mode runs {@code call}, and which counts what it left open. */
    private static final class FakeTarget implements BenchTarget {
        private final String name;
        private final float value;
        private final TimedCall call;
        final AtomicInteger open = new AtomicInteger();

        FakeTarget(String name, float value, TimedCall call) {
            this.name = name;
            this.value = value;
            this.call = call;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public Ceilings ceilings() {
            return new Ceilings(1e9, 1e9, "fake", "fake");
        }

        @Override
        public PreparedLayer prepare(Workload workload) {
            open.incrementAndGet();
            Tensor output = Tensor.zeros(LAYER.outputShape());
            java.util.Arrays.fill(output.data(), value);
            return new PreparedLayer() {
                @Override
                public Tensor output() {
                    return output;
                }

                @Override
                public Map<String, TimedCall> modes() {
                    Map<String, TimedCall> modes = new LinkedHashMap<>();
                    modes.put("host", call);
                    return modes;
                }

                @Override
                public void close() {
                    open.decrementAndGet();
                }
            };
        }

        @Override
        public void close() {
        }
    }

    /** A call of about 0.2 ms that notes who ran. */
    private static long spin(List<String> order, String who) {
        order.add(who);
        long end = System.nanoTime() + 200_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return TimedCall.NO_DEVICE_TIME;
    }

    /** Two targets' calls take turns: after their warm-ups, not all of a's samples then all of b's. */
    @Test
    void agreeingTargetsTakeTurns() {
        List<String> order = new ArrayList<>();
        FakeTarget a = new FakeTarget("a", 1f, () -> spin(order, "a"));
        FakeTarget b = new FakeTarget("b", 1f, () -> spin(order, "b"));
        // turns of the shortest length, about five per target
        Duration minTime = Duration.ofNanos(5 * Sampler.MIN_TURN_NANOS);
        List<LayerResult> results = new BenchRunner(new TimingPolicy(5, minTime, Duration.ZERO,
                Duration.ofHours(1)), 1, line -> { }).run(new Suite("s", List.of(LAYER)), List.of(a, b));
        assertTrue(results.stream().allMatch(r -> r.ok() && r.isTimed()));
        List<String> timed = order.subList(2 * TimingPolicy.MIN_WARMUP_CALLS, order.size());
        int switches = 0;
        for (int i = 1; i < timed.size(); i++) {
            switches += timed.get(i).equals(timed.get(i - 1)) ? 0 : 1;
        }
        assertTrue(switches >= 3, "a and b switched " + switches + " times");
    }

    /**
     * One target that disagrees with the first is not timed, one whose call throws fails on its own and the
     * others are still timed; every prepared layer is closed.
     */
    @Test
    void failsOnlyTheTargetsThatThrowOrDisagreeAndClosesEveryOne() {
        AtomicInteger flakyCalls = new AtomicInteger();
        FakeTarget reference = new FakeTarget("a", 1f, () -> TimedCall.NO_DEVICE_TIME);
        FakeTarget other = new FakeTarget("b", 1f, () -> TimedCall.NO_DEVICE_TIME);
        FakeTarget wrong = new FakeTarget("wrong", 2f, () -> TimedCall.NO_DEVICE_TIME);
        FakeTarget flaky = new FakeTarget("flaky", 1f, () -> {
            if (flakyCalls.incrementAndGet() == 5) {
                throw new IllegalStateException("queue lost");
            }
            return TimedCall.NO_DEVICE_TIME;
        });
        List<String> progress = new ArrayList<>();
        BenchRunner runner = new BenchRunner(new TimingPolicy(20, Duration.ZERO, Duration.ZERO, Duration.ofHours(1)),
                1, progress::add);
        List<LayerResult> results = runner.run(new Suite("s", List.of(LAYER)), List.of(reference, wrong, flaky, other));

        assertEquals(4, results.size());
        assertTrue(results.get(0).ok() && results.get(0).isTimed());
        assertEquals(20, results.get(0).headlineMode().wall().count());
        assertFalse(results.get(1).ok());
        assertTrue(results.get(1).error().contains("output differs from a's"), results.get(1).error());
        assertFalse(results.get(2).ok());
        assertTrue(results.get(2).error().contains("queue lost"), results.get(2).error());
        assertTrue(results.get(3).ok() && results.get(3).isTimed());
        assertEquals("a", results.get(3).referenceTarget());
        assertTrue(progress.stream().anyMatch(l -> l.contains("flaky: FAILED")), progress.toString());
        for (FakeTarget t : List.of(reference, other, wrong, flaky)) {
            assertEquals(0, t.open.get(), t.name() + " left open");
        }
    }
}

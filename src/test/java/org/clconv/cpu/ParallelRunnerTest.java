package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ParallelRunnerTest {
    private static final WorkerPool POOL = new WorkerPool(3);
    private static final ParallelRunner RUNNER = new ParallelRunner(POOL);
    /** Enough work per unit that every call is cut into many chunks. */
    private static final long MACS_PER_UNIT = 1L << 20;

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void inOrderRunComputesEveryUnitOnce() {
        for (int units : new int[] {2, 7, 64, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(units);
            for (int call = 0; call < 50; call++) {
                RUNNER.run(units, MACS_PER_UNIT, (from, to) -> mark(seen, from, to, -1));
            }
            assertEachSeen(seen, 50);
        }
    }

    @Test
    void planeSharesComputeEveryUnitOnceWhenAParticipantIsSlow() {
        for (int units : new int[] {2, 7, 64, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(units);
            for (int call = 0; call < 50; call++) {
                // unit 0 (the caller's share) and the last unit (the last pool thread's) stall, so the others take
                // what is left of those shares from their back
                int slow = call % 2 == 0 ? 0 : units - 1;
                RUNNER.runPlanes(units, MACS_PER_UNIT, new int[] {16},
                        (from, to, scratch) -> mark(seen, from, to, slow));
            }
            assertEachSeen(seen, 50);
        }
    }

    private static void mark(AtomicIntegerArray seen, int from, int to, int slow) {
        for (int u = from; u < to; u++) {
            if (u == slow) {
                LockSupport.parkNanos(2_000_000);
            }
            seen.incrementAndGet(u);
        }
    }

    private static void assertEachSeen(AtomicIntegerArray seen, int times) {
        for (int u = 0; u < seen.length(); u++) {
            assertEquals(times, seen.get(u), "unit " + u + " of " + seen.length());
        }
    }
}

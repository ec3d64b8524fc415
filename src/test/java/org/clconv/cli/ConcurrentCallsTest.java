package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clconv.Backends;
import org.clconv.ConvBackend;
import org.clconv.Tensor;
import org.clconv.TestBackends;
import org.clconv.opencl.OpenClBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One backend instance shared by 16 threads: mixed layer shapes ({@link SoakWorkload}) give bit-identical
 * results to one thread's, and closing the backend under them either lets a call finish correctly or fails it
 * with {@link IllegalStateException}, never anything else. {@code -Dclconv.concurrency.calls=N} runs longer;
 * {@code clconv soak} is the long version.
 */
class ConcurrentCallsTest {
    private static final int THREADS = 16;
    private static final long CALLS = Long.getLong("clconv.concurrency.calls", 2_000);

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void sixteenThreadsGetTheSingleThreadedResultsBitForBit(String name) throws Exception {
        ConvBackend backend = TestBackends.get(name);
        SoakWorkload work = new SoakWorkload(7);
        List<Tensor> expected = work.expected(backend);
        SoakWorkload.Mismatches m = work.runConcurrently(backend, expected, THREADS, CALLS);
        assertEquals(0, m.count(), () -> m.count() + " of " + CALLS + " results differed, first: " + m.first());
        SoakWorkload.Mismatches chains = work.runChains(backend, work.chain(backend), THREADS, THREADS * 4);
        assertEquals(0, chains.count(), "chains run from 16 threads at once");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.clconv.TestBackends#names")
    void closeUnderSixteenThreadsLetsCallsFinishOrFailCleanly(String name) throws Exception {
        TestBackends.get(name);
        SoakWorkload work = new SoakWorkload(8);
        ConvBackend backend = Backends.create(name);
        List<Tensor> expected = work.expected(backend);
        AtomicInteger completed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<IllegalStateException>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                workers.add(pool.submit(() -> {
                    for (int i = offset; ; i++) {
                        int j = i % expected.size();
                        Tensor out;
                        try {
                            out = work.jobs().get(j).run(backend);
                        } catch (IllegalStateException closed) {
                            return closed;
                        }
                        assertArrayEquals(expected.get(j).data(), out.data(), "a call that finished around close");
                        completed.incrementAndGet();
                    }
                }));
            }
            while (completed.get() < 200) {
                Thread.sleep(1);
            }
            backend.close();
            for (Future<IllegalStateException> w : workers) {
                IllegalStateException e = w.get(2, TimeUnit.MINUTES);
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }
        } finally {
            pool.shutdownNow();
        }
        backend.close();
        IllegalStateException after = assertThrows(IllegalStateException.class,
                () -> work.jobs().get(0).run(backend));
        assertTrue(after.getMessage().contains("closed"), after.getMessage());
        if (backend instanceof OpenClBackend device) {
            assertEquals(0, device.liveBuffers());
        }
    }
}

package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void runsEveryTaskOnceFromManySubmittersAndAfterIdlePauses() throws Exception {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicInteger ran = new AtomicInteger();
            int submitters = 4;
            int perSubmitter = 2_000;
            CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
            Thread[] threads = new Thread[submitters];
            for (int s = 0; s < submitters; s++) {
                threads[s] = new Thread(() -> {
                    for (int i = 0; i < perSubmitter; i++) {
                        pool.execute(() -> {
                            ran.incrementAndGet();
                            done.countDown();
                        });
                        if (i % 500 == 0) {
                            // long enough for every worker to stop spinning and park
                            sleepMillis(5);
                        }
                    }
                });
                threads[s].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "tasks left: " + done.getCount());
            assertEquals(submitters * perSubmitter, ran.get());
        }
    }

    @Test
    void closeWaitsForTheWorkersToEndAndThenRejectsTasks() throws Exception {
        WorkerPool pool = new WorkerPool(2);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        CountDownLatch seen = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                workers.add(Thread.currentThread());
                seen.countDown();
                awaitQuietly(release);
            });
        }
        assertTrue(seen.await(10, TimeUnit.SECONDS));
        Thread closer = new Thread(pool::close);
        closer.start();
        closer.join(200);
        assertTrue(closer.isAlive(), "close returned while tasks were still running");
        release.countDown();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        for (Thread t : workers) {
            assertFalse(t.isAlive(), t.getName() + " still alive after close");
            assertTrue(t.isDaemon());
        }
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

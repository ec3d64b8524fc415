package org.clconv.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.RejectedExecutionException;

/**
 * Splits a range of independent work units into chunks and runs them on the backend's pool. Chunks are sized
 * from the work (multiply-accumulates) so that small layers run inline on the caller's thread instead of paying
 * fork overhead, and large ones get a few chunks per thread for load balance.
 */
final class ParallelRunner {
    /** Below about this many MACs per chunk (tens of microseconds), forking costs more than it saves. */
    private static final long MIN_MACS_PER_CHUNK = 1L << 16;
    /** Chunks per thread: enough to even out uneven chunks, few enough to keep per-chunk scratch cheap. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** The work of units [from, to); called once per chunk, so it may allocate its scratch per call. */
    interface Body {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;

    ParallelRunner(ForkJoinPool pool) {
        this.pool = pool;
    }

    int threads() {
        return pool.getParallelism();
    }

    void run(int units, long macsPerUnit, Body body) {
        long total = (long) units * Math.max(1, macsPerUnit);
        long byWork = Math.max(1, total / MIN_MACS_PER_CHUNK);
        int chunks = (int) Math.min(Math.min(byWork, units), (long) pool.getParallelism() * CHUNKS_PER_THREAD);
        if (chunks <= 1) {
            body.run(0, units);
            return;
        }
        try {
            pool.invoke(new Chunks(body, units, chunks, 0, chunks));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the CPU backend was closed while a convolution was running", e);
        }
    }

    /** Chunks [lo, hi) of {@code chunks} equal slices of the unit range, split in halves down to one chunk. */
    private static final class Chunks extends RecursiveAction {
        private final Body body;
        private final int units;
        private final int chunks;
        private final int lo;
        private final int hi;

        Chunks(Body body, int units, int chunks, int lo, int hi) {
            this.body = body;
            this.units = units;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run(start(lo), start(hi));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunks(body, units, chunks, lo, mid), new Chunks(body, units, chunks, mid, hi));
        }

        private int start(int chunk) {
            return (int) ((long) units * chunk / chunks);
        }
    }
}

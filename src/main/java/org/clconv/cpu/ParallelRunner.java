package org.clconv.cpu;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of independent work units into chunks and runs them on the caller's thread and the backend's
 * pool. Chunks are sized from the work (multiply-accumulates) so that small layers run inline instead of paying
 * for waking threads, and large ones get several chunks per thread for load balance.
 *
 * <p>Every participant, the caller included, claims the next chunk from a shared counter until none is left.
 * On a busy machine a woken pool thread may wait milliseconds for a core; with fixed shares the whole call
 * would wait for it, here the threads that are running simply take its chunks (a late helper finds nothing
 * left and returns at once). The caller then waits only for chunks already being computed.
 */
final class ParallelRunner {
    /** Below about this many MACs per chunk (tens of microseconds), waking a thread costs more than it saves. */
    private static final long MIN_MACS_PER_CHUNK = 1L << 16;
    /** Chunks per thread: enough to even out uneven chunks, few enough to keep per-chunk scratch cheap. */
    private static final int CHUNKS_PER_THREAD = 4;
    /**
     * A large call's units go in up to this many chunks per thread, none under {@link #BALANCE_MACS} (about 200 us
     * on one thread): the call ends when its last chunk does, so with four big chunks per thread one thread that
     * started late or ran slower kept the others waiting for most of a chunk (a 3x3 dilated 256-channel layer on two
     * threads: each busy 3.3-3.6 ms of a 4.0 ms call; in 26 chunks, 3.5 ms of a 3.7 ms call).
     */
    private static final int MAX_CHUNKS_PER_THREAD = 16;
    private static final long BALANCE_MACS = 1L << 20;

    /** The work of units [from, to); called once per chunk, so it may allocate its scratch per call. */
    interface Body {
        void run(int from, int to);
    }

    private final WorkerPool pool;
    private final ScratchArrays scratch;

    ParallelRunner(WorkerPool pool) {
        this.pool = pool;
        // per participant, the most arrays a chunk borrows (five: Winograd's V, M, zeros, output rows and
        // transform sums) and as many again for calls that overlap; then a call's own (Winograd's split planes, a
        // shared packed B, a separable block's intermediate). With four per participant a 256-channel separable
        // block missed the pool and allocated 270 KB of zeroed arrays per call: 1.44x its two layers' time
        this.scratch = new ScratchArrays(10 * threads() + 4);
    }

    /** The work of units [from, to) with scratch arrays lent for the chunk. */
    interface ScratchBody {
        void run(int from, int to, float[][] scratch);
    }

    /** The pool's workers and the caller. */
    int threads() {
        return pool.workers() + 1;
    }

    /**
     * How many parts (rows of a plane, weight panels) each of {@code units} work units should take so that the
     * units cut into pieces of that size give about {@link #CHUNKS_PER_THREAD} per thread: all of them (no cut)
     * when the units alone are that many.
     */
    int partsPerPiece(int parts, int units) {
        int wanted = threads() * CHUNKS_PER_THREAD;
        int pieces = Math.min(parts, Math.max(1, (wanted + units - 1) / units));
        return (parts + pieces - 1) / pieces;
    }

    /**
     * {@link #run(int, long, Body)} with, for each chunk, one scratch array of at least {@code scratchFloats[i]}
     * floats per entry, borrowed from the backend's {@link ScratchArrays} (unspecified contents: the body
     * initialises what it reads) and given back when the chunk ends.
     */
    void run(int units, long macsPerUnit, int[] scratchFloats, ScratchBody body) {
        run(units, macsPerUnit, (from, to) -> {
            float[][] arrays = new float[scratchFloats.length][];
            try {
                for (int i = 0; i < arrays.length; i++) {
                    arrays[i] = scratch.borrow(scratchFloats[i]);
                }
                body.run(from, to, arrays);
            } finally {
                for (float[] a : arrays) {
                    if (a != null) {
                        scratch.giveBack(a);
                    }
                }
            }
        });
    }

    /** Lends one scratch array outside a parallel run (a separable block's intermediate); give it back after. */
    float[] borrow(int length) {
        return scratch.borrow(length);
    }

    void giveBack(float[] array) {
        scratch.giveBack(array);
    }

    void run(int units, long macsPerUnit, Body body) {
        long total = (long) units * Math.max(1, macsPerUnit);
        long few = Math.min(total / MIN_MACS_PER_CHUNK, (long) threads() * CHUNKS_PER_THREAD);
        long many = Math.min(total / BALANCE_MACS, (long) threads() * MAX_CHUNKS_PER_THREAD);
        // a multiple of the threads: nine equal chunks on two threads end when one thread's fifth does
        // (dw5x5_d2, 128 planes: 10 chunks instead of 9, 0.94 of the time, alternated in one JVM)
        int chunks = (int) Math.min(units, GemmTiles.roundUp((int) Math.max(few, many), threads()));
        if (chunks <= 1) {
            body.run(0, units);
            return;
        }
        Job job = new Job(body, units, chunks);
        int helpers = Math.min(threads(), chunks) - 1;
        try {
            for (int i = 0; i < helpers; i++) {
                pool.execute(job::work);
            }
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the CPU backend was closed while a convolution was running", e);
        }
        job.work();
        job.awaitAll();
    }

    /** One call's chunks: claimed in order by whoever is running, counted down as they finish. */
    private static final class Job {
        private final Body body;
        private final int units;
        private final int chunks;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /**
         * Set by the caller before it parks: the thread that finishes the last chunk unparks it only then. An
         * unpark per call cost 5% of a 20 us layer's profile (1024 planes of 7x7, two threads), the caller
         * being nearly always still spinning or itself the one that finished.
         */
        private volatile boolean callerParking;

        Job(Body body, int units, int chunks) {
            this.body = body;
            this.units = units;
            this.chunks = chunks;
            this.unfinished = new AtomicInteger(chunks);
        }

        void work() {
            for (int chunk = next.getAndIncrement(); chunk < chunks; chunk = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        body.run(start(chunk), start(chunk + 1));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    // (callerParking is read after the count reaches 0, and the caller sets it before it reads
                    // the count: one of the two sees the other's write, so the caller never parks unwoken)
                    if (unfinished.decrementAndGet() == 0 && callerParking) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /**
         * Returns when every chunk has finished; rethrows the first failure on the caller's thread. Spins first:
         * the chunks still running are short, and a parked caller would wait as long again to be woken.
         */
        void awaitAll() {
            if (!WorkerPool.spinUntil(() -> unfinished.get() == 0)) {
                callerParking = true;
            }
            while (unfinished.get() > 0) {
                LockSupport.park(this);
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }

        private int start(int chunk) {
            return (int) ((long) units * chunk / chunks);
        }
    }
}

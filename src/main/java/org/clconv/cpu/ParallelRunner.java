package org.clconv.cpu;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of independent work units into chunks and runs them on the caller's thread and the backend's
 * pool. Chunks are sized from the work (multiply-accumulates) so that small layers run inline instead of paying
 * for waking threads, and large ones get several chunks per thread for load balance.
 *
 * <p>Every participant, the caller included, claims the next chunk from a shared counter until none is left
 * ({@link #runPlanes}: from its own share first, then from what is left of others'). On a busy machine a woken
 * pool thread may wait milliseconds for a core; with fixed shares the whole call would wait for it, here the
 * threads that are running simply take its chunks (a late helper finds nothing left and returns at once). The
 * caller then waits only for chunks already being computed.
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
        run(units, macsPerUnit, scratchFloats, body, false);
    }

    /**
     * {@link #run(int, long, int[], ScratchBody)} for units that are planes (or blocks of a plane's rows) a layer
     * reads and writes on its own: each participant computes the same share of them in every call (a contiguous
     * range, then what is left of others'), so a layer called again finds its planes in the cache of the core
     * that used them last. Taken in one shared order, a call's chunks on one core were often the other core's
     * the call before, pulled across from its L2 (512 channels of 14x14 depthwise, 0.8 MB in and out, two
     * threads, separate JVMs taking turns: 0.029 -> 0.025 ms twice). Not for the GEMMs, whose units are ordered
     * so that neighbours share a B tile and split the weights (256 channels of 28x28 pointwise: each core read all
     * the weights, 1.10 of the time).
     */
    void runPlanes(int units, long macsPerUnit, int[] scratchFloats, ScratchBody body) {
        run(units, macsPerUnit, scratchFloats, body, true);
    }

    private void run(int units, long macsPerUnit, int[] scratchFloats, ScratchBody body, boolean shares) {
        run(units, macsPerUnit, shares, (from, to) -> {
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
        run(units, macsPerUnit, false, body);
    }

    private void run(int units, long macsPerUnit, boolean shares, Body body) {
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
        Job job = new Job(body, units, chunks, shares ? threads() : 1);
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

    /**
     * One call's chunks, counted down as they finish, in ranges: each participant takes the chunks of its home
     * range from the front, then others' from their back. With one range (every participant's home), chunks go in
     * order to whoever asks ({@link #run}); with one per participant (the caller's first, then each pool
     * thread's), each takes the same share of every call ({@link #runPlanes}).
     */
    private final class Job {
        private final Body body;
        private final int units;
        private final int chunks;
        private final Thread caller = Thread.currentThread();
        /** Per range, its next chunk (high int) and its end (low int). */
        private final AtomicLongArray ranges;
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /**
         * Set by the caller before it parks: the thread that finishes the last chunk unparks it only then. An
         * unpark per call cost 5% of a 20 us layer's profile (1024 planes of 7x7, two threads), the caller
         * being nearly always still spinning or itself the one that finished.
         */
        private volatile boolean callerParking;

        Job(Body body, int units, int chunks, int participants) {
            this.body = body;
            this.units = units;
            this.chunks = chunks;
            this.unfinished = new AtomicInteger(chunks);
            this.ranges = new AtomicLongArray(participants);
            for (int p = 0; p < participants; p++) {
                ranges.set(p, (long) (chunks * p / participants) << 32 | chunks * (p + 1) / participants);
            }
        }

        void work() {
            int home = (Thread.currentThread() == caller ? 0 : pool.participant()) % ranges.length();
            for (int chunk = claim(home); chunk >= 0; chunk = claim(home)) {
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

        /** The next chunk of the home range, else the last left in another; -1 when none is left. */
        private int claim(int home) {
            int n = ranges.length();
            for (int i = 0; i < n; i++) {
                int r = (home + i) % n;
                boolean own = i == 0;
                for (long s = ranges.get(r); (int) (s >>> 32) < (int) s; s = ranges.get(r)) {
                    long taken = own ? s + (1L << 32) : s - 1;
                    if (ranges.compareAndSet(r, s, taken)) {
                        return own ? (int) (s >>> 32) : (int) s - 1;
                    }
                }
            }
            return -1;
        }

        private int start(int chunk) {
            return (int) ((long) units * chunk / chunks);
        }
    }
}

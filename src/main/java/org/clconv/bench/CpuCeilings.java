package org.clconv.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Measures the CPU's ceilings from Java, on as many threads as the CPU backend uses, so that the roofline
 * compares the backend with what Java code can reach on this machine:
 * <ul>
 * <li>copy bandwidth: every thread copies its own {@value #COPY_MIB} MiB array with {@code System.arraycopy},
 *     far larger than any last-level cache; bytes read plus written over the round's wall time (the memory
 *     bus is shared, so only simultaneous copies measure it);</li>
 * <li>FMA rate: every thread runs {@value #CHAIN} dependent {@code Math.fma} per element over an L1-resident
 *     array; the elements are independent chains, so C2 vectorises the loop to packed FMAs and the out-of-order
 *     core hides their latency. FMA units belong to a core, so each thread's rate is taken over its own CPU
 *     time and the rates are summed: time-slicing by other processes does not lower the figure.</li>
 * </ul>
 * Each figure is the best of many short rounds after a warm-up round (page faults, JIT compilation): other
 * processes on a shared machine can only slow a round down, so the fastest round is the closest to the truth.
 */
public final class CpuCeilings {
    static final int COPY_MIB = 64;
    static final int CHAIN = 8;
    private static final int FMA_ELEMENTS = 2048;
    private static final int FMA_PASSES = 50_000;
    private static final int ROUNDS = 30;

    private CpuCeilings() {
    }

    public static Ceilings measure(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "clconv-ceilings");
            t.setDaemon(true);
            return t;
        });
        try {
            double copyBytes = 2.0 * COPY_MIB * (1 << 20) * threads;
            double bandwidth = bestRate(pool, threads, CpuCeilings::copyTask, round -> copyBytes / round.wallSeconds());
            double flopsPerThread = 2.0 * CHAIN * FMA_ELEMENTS * FMA_PASSES;
            double fma = bestRate(pool, threads, CpuCeilings::fmaTask, round -> round.sumOfThreadRates(flopsPerThread));
            return new Ceilings(bandwidth, fma,
                    "System.arraycopy of " + COPY_MIB + " MiB per thread, " + threads + " threads, bytes read+written"
                            + " over the wall clock",
                    "Math.fma, " + CHAIN + "-deep chains over " + FMA_ELEMENTS + " floats per thread, " + threads
                            + " threads, each over its own CPU time");
        } finally {
            pool.shutdownNow();
        }
    }

    /** The wall time of one round and the CPU time each thread spent on its share. */
    private record Round(long wallNanos, long[] threadCpuNanos) {
        double wallSeconds() {
            return wallNanos * 1e-9;
        }

        /**
         * Core-local work (the FMA chains) measured per thread over the CPU time that thread actually got, so
         * that another process time-slicing a core does not lower the figure; the cores' rates add up.
         */
        double sumOfThreadRates(double workPerThread) {
            return Arrays.stream(threadCpuNanos).mapToDouble(ns -> workPerThread / (ns * 1e-9)).sum();
        }
    }

    /** Runs one task per thread for a warm-up round and {@value #ROUNDS} timed rounds; the best rate wins. */
    private static double bestRate(ExecutorService pool, int threads, Supplier<Runnable> task,
            ToDoubleFunction<Round> rate) {
        ThreadMXBean cpuClock = ManagementFactory.getThreadMXBean();
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Runnable work = task.get();
            tasks.add(() -> {
                long start = cpuClock.getCurrentThreadCpuTime();
                work.run();
                return cpuClock.getCurrentThreadCpuTime() - start;
            });
        }
        double best = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            long start = System.nanoTime();
            long[] cpu = runAll(pool, tasks);
            Round r = new Round(System.nanoTime() - start, cpu);
            if (round > 0) {
                best = Math.max(best, rate.applyAsDouble(r));
            }
        }
        return best;
    }

    private static long[] runAll(ExecutorService pool, List<Callable<Long>> tasks) {
        try {
            List<Future<Long>> futures = pool.invokeAll(tasks);
            long[] out = new long[futures.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.max(1, futures.get(i).get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the CPU ceilings", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("measuring the CPU ceilings failed", e.getCause());
        }
    }

    /** Each thread keeps its own source and destination, allocated once and reused by every round. */
    private static Runnable copyTask() {
        float[] source = new float[COPY_MIB << 18];
        float[] target = new float[source.length];
        return () -> System.arraycopy(source, 0, target, 0, source.length);
    }

    private static Runnable fmaTask() {
        float[] values = new float[FMA_ELEMENTS];
        Arrays.fill(values, 1f);
        return () -> fmaChains(values, FMA_PASSES);
    }

    /**
     * The chains write back into {@code values}, which outlives the call, so the JIT cannot drop the work; the
     * multiplier and addend keep the values near 1 (no denormals, no overflow).
     */
    static float fmaChains(float[] values, int passes) {
        float m = 0.999999f;
        float c = 1e-6f;
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < values.length; i++) {
                float x = values[i];
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                x = Math.fma(x, m, c);
                values[i] = x;
            }
        }
        return values[0];
    }
}

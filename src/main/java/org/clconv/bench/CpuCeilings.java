package org.clconv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Measures the CPU's ceilings from Java, on as many threads as the CPU backend uses, so that the roofline
 * compares the backend with what Java code can reach on this machine:
 * <ul>
 * <li>copy bandwidth: every thread copies its own {@value #COPY_MIB} MiB array with {@code System.arraycopy},
 *     far larger than any last-level cache; bytes read plus written over the slowest thread's time;</li>
 * <li>FMA rate: every thread runs {@value #CHAIN} dependent {@code Math.fma} per element over an L1-resident
 *     array; the elements are independent chains, so C2 vectorises the loop to packed FMAs and the out-of-order
 *     core hides their latency.</li>
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
            double bandwidth = best(pool, threads, CpuCeilings::copyTask, 2.0 * COPY_MIB * (1 << 20) * threads);
            double fma = best(pool, threads, CpuCeilings::fmaTask, 2.0 * CHAIN * FMA_ELEMENTS * FMA_PASSES * threads);
            return new Ceilings(bandwidth, fma,
                    "System.arraycopy of " + COPY_MIB + " MiB per thread, " + threads + " threads, bytes read+written",
                    "Math.fma, " + CHAIN + "-deep chains over " + FMA_ELEMENTS + " floats per thread, " + threads
                            + " threads");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one task per thread for a warm-up round and {@value #ROUNDS} timed rounds; the best rate wins. */
    private static double best(ExecutorService pool, int threads, Supplier<Callable<Float>> task, double workPerRound) {
        List<Callable<Float>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(task.get());
        }
        double bestRate = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            long start = System.nanoTime();
            runAll(pool, tasks);
            double rate = workPerRound / ((System.nanoTime() - start) * 1e-9);
            if (round > 0) {
                bestRate = Math.max(bestRate, rate);
            }
        }
        return bestRate;
    }

    private static void runAll(ExecutorService pool, List<Callable<Float>> tasks) {
        try {
            for (Future<Float> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the CPU ceilings", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("measuring the CPU ceilings failed", e.getCause());
        }
    }

    /** Each thread keeps its own source and destination, allocated once and reused by every round. */
    private static Callable<Float> copyTask() {
        float[] source = new float[COPY_MIB << 18];
        float[] target = new float[source.length];
        return () -> {
            System.arraycopy(source, 0, target, 0, source.length);
            return target[target.length - 1];
        };
    }

    private static Callable<Float> fmaTask() {
        float[] values = new float[FMA_ELEMENTS];
        Arrays.fill(values, 1f);
        return () -> fmaChains(values, FMA_PASSES);
    }

    /** The result is returned so that the JIT cannot drop the work; multiplier and addend keep values near 1. */
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

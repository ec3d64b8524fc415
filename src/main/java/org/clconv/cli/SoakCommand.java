package org.clconv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.clconv.Backends;
import org.clconv.ConvBackend;
import org.clconv.Tensor;
import org.clconv.opencl.OpenClBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code clconv soak}: many small convolutions from many threads and many device-resident chains on one
 * backend, watching for leaks. It reports live device buffers, JVM heap used after a full GC and the process
 * RSS at the start, after a warm-up (a tenth of the work: JIT, program builds, weight caches, buffer pool) and
 * at the end, and fails if live buffers do not return to the warm-up baseline (and to zero when the backend
 * closes), if heap or RSS grew beyond the tolerances after the warm-up, or if any result differed bit for bit
 * from the single-threaded one.
 *
 * <p>RSS is judged outside the Java heap (RSS minus the committed heap), since a leak inside the heap shows in
 * the heap used after GC. Still, the JVM's heap sizing moves RSS (it grows into untouched memory, and gives
 * memory back lazily after shrinking), so judge RSS with a fixed, pre-touched heap:
 * {@code CLCONV_JAVA_OPTS="-Xms512m -Xmx512m -XX:+AlwaysPreTouch" scripts/clconv soak}. Linux only: elsewhere
 * RSS is NaN and not judged.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Leak and concurrency soak: small convs on many threads plus device-resident chains; reports "
                + "live device buffers, heap and RSS and fails if they do not stay flat after warm-up.")
final class SoakCommand implements Callable<Integer> {
    private static final double MIB = 1 << 20;

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
            description = "auto, cpu or opencl. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--device", paramLabel = "DEV", description = "OpenCL device: an index or a name substring.")
    String device;

    @Option(names = "--convs", paramLabel = "N", defaultValue = "100000",
            description = "Small convolutions to run. Default: ${DEFAULT-VALUE}.")
    long convs;

    @Option(names = "--chains", paramLabel = "M", defaultValue = "1000",
            description = "Device-resident chains of four layers to run. Default: ${DEFAULT-VALUE}.")
    long chains;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "16",
            description = "Threads sharing the one backend. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--heap-tolerance", paramLabel = "MIB", defaultValue = "16",
            description = "Allowed growth of heap used after GC, from warm-up to the end. Default: ${DEFAULT-VALUE} MiB.")
    double heapToleranceMib;

    @Option(names = "--rss-tolerance", paramLabel = "MIB", defaultValue = "64",
            description = "Allowed growth of the process RSS outside the Java heap (RSS - committed heap), from "
                    + "warm-up to the end. Default: ${DEFAULT-VALUE} MiB.")
    double rssToleranceMib;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights and inputs. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** One row of the report. */
    private record Sample(String phase, long convs, long chains, int liveBuffers, double heapMib,
                          double heapCommittedMib, double rssMib) {
        /** Resident memory outside the Java heap: native allocations, device memory of host-side drivers, code. */
        double nativeMib() {
            return rssMib - heapCommittedMib;
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        SoakWorkload work = new SoakWorkload(seed);
        List<Sample> samples = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long warmConvs = Math.max(1, convs / 10);
        long warmChains = Math.max(1, chains / 10);
        try (ConvBackend conv = Backends.create(backend, device)) {
            out.printf(Locale.ROOT, "clconv soak on %s (%s): %d convs over %d layer shapes and %d %s chains of 4 "
                            + "layers, on %d threads sharing the backend; warm-up: the first %d convs and %d chains%n",
                    conv.name(), conv.deviceDescription(), convs, work.jobs().size(), chains,
                    conv instanceof OpenClBackend ? "device-resident" : "host", threads, warmConvs, warmChains);
            samples.add(sample("start", 0, 0, conv));
            List<Tensor> expected = work.expected(conv);
            Tensor expectedChain = work.chain(conv);
            List<SoakWorkload.Mismatches> runs = new ArrayList<>();
            runs.add(work.runConcurrently(conv, expected, threads, warmConvs));
            runs.add(work.runChains(conv, expectedChain, threads, warmChains));
            samples.add(sample("after warm-up", warmConvs, warmChains, conv));
            runs.add(work.runConcurrently(conv, expected, threads, convs - warmConvs));
            runs.add(work.runChains(conv, expectedChain, threads, chains - warmChains));
            runs.forEach(m -> check(problems, m));
            samples.add(sample("end", convs, chains, conv));
            conv.close();
            int closedLive = liveBuffers(conv);
            Sample warm = samples.get(1);
            Sample end = samples.get(2);
            report(out, samples, closedLive);
            judge(problems, warm, end, closedLive);
            long differing = runs.stream().mapToLong(SoakWorkload.Mismatches::count).sum();
            out.printf(Locale.ROOT, "results: %d of %d convs and chains differ from single-threaded runs%n", differing,
                    convs + chains);
        }
        if (!problems.isEmpty()) {
            spec.commandLine().getErr().println("clconv: error: soak failed: " + String.join("; ", problems));
            return Failures.RUNTIME;
        }
        out.println("soak: passed");
        return 0;
    }

    private void checkOptions() {
        if (convs < 1 || chains < 1 || threads < 1 || heapToleranceMib < 0 || rssToleranceMib < 0) {
            throw new ParameterException(spec.commandLine(), "--convs, --chains and --threads must be positive and "
                    + "the tolerances non-negative, got convs=" + convs + ", chains=" + chains + ", threads=" + threads
                    + ", heap-tolerance=" + heapToleranceMib + ", rss-tolerance=" + rssToleranceMib);
        }
    }

    private static void check(List<String> problems, SoakWorkload.Mismatches m) {
        if (m.count() > 0) {
            problems.add(m.count() + " of " + m.calls() + " results differed from the single-threaded run, first: "
                    + m.first());
        }
    }

    private void judge(List<String> problems, Sample warm, Sample end, int closedLive) {
        if (end.liveBuffers() != warm.liveBuffers()) {
            problems.add("live device buffers went from " + warm.liveBuffers() + " after warm-up to "
                    + end.liveBuffers() + " at the end");
        }
        if (closedLive > 0) {
            problems.add(closedLive + " device buffers still live after close");
        }
        double heapGrowth = end.heapMib() - warm.heapMib();
        if (heapGrowth > heapToleranceMib) {
            problems.add(String.format(Locale.ROOT, "heap used after GC grew %.1f MiB after warm-up (tolerance %.0f)",
                    heapGrowth, heapToleranceMib));
        }
        double nativeGrowth = end.nativeMib() - warm.nativeMib();
        if (nativeGrowth > rssToleranceMib) {
            problems.add(String.format(Locale.ROOT, "RSS outside the Java heap grew %.1f MiB after warm-up "
                    + "(tolerance %.0f)", nativeGrowth, rssToleranceMib));
        }
    }

    private void report(PrintWriter out, List<Sample> samples, int closedLive) {
        out.printf(Locale.ROOT, "%-14s %10s %8s %13s %16s %15s %10s %16s%n", "phase", "convs", "chains",
                "live buffers", "heap used (MiB)", "heap committed", "RSS (MiB)", "RSS - heap (MiB)");
        for (Sample s : samples) {
            out.printf(Locale.ROOT, "%-14s %10d %8d %13s %16.1f %15.1f %10.1f %16.1f%n", s.phase(), s.convs(),
                    s.chains(), s.liveBuffers() < 0 ? "n/a" : Integer.toString(s.liveBuffers()), s.heapMib(),
                    s.heapCommittedMib(), s.rssMib(), s.nativeMib());
        }
        Sample warm = samples.get(1);
        Sample end = samples.get(2);
        out.printf(Locale.ROOT, "%-14s %10s %8s %13s%n", "after close", "", "", closedLive < 0 ? "n/a" : closedLive);
        out.printf(Locale.ROOT, "after warm-up: heap used %+.1f MiB (tolerance %.0f), RSS %+.1f MiB of which outside "
                        + "the heap %+.1f (tolerance %.0f), live buffers %s%n", end.heapMib() - warm.heapMib(),
                heapToleranceMib, end.rssMib() - warm.rssMib(), end.nativeMib() - warm.nativeMib(), rssToleranceMib,
                end.liveBuffers() < 0 ? "n/a (no device buffers)" : warm.liveBuffers() + " -> " + end.liveBuffers()
                        + " (the cached weights), " + closedLive + " after close");
    }

    private static Sample sample(String phase, long convs, long chains, ConvBackend backend) {
        double used = heapUsedAfterGcMib();
        double committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / MIB;
        return new Sample(phase, convs, chains, liveBuffers(backend), used, committed, rssMib());
    }

    /** Live device buffers, or -1 for a backend without any. */
    private static int liveBuffers(ConvBackend backend) {
        return backend instanceof OpenClBackend device ? device.liveBuffers() : -1;
    }

    /** Heap in use after full collections (two, so that objects freed by the first one's cleaners go too). */
    private static double heapUsedAfterGcMib() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed() / MIB;
    }

    /** The resident set size from /proc/self/status (Linux), or NaN where there is none. */
    private static double rssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / MIB;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}

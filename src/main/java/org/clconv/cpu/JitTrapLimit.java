package org.clconv.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The JVM's {@code PerMethodTrapLimit}, which decides whether C2 keeps the vector kernels' vectors in registers
 * in every run (README, "JVM flags for the CPU backend"): under the default of 100 it boxes them in some runs,
 * depending on what the JVM compiled before, and the layers whose kernels are large run 1.5-2.5x slower. The
 * vector kernels warn once per JVM when they start under a lower limit than {@link #RECOMMENDED}.
 */
final class JitTrapLimit {
    /** The limit the launchers pass: far above what a kernel's compilation counts (a few hundred seen). */
    static final long RECOMMENDED = 100_000;

    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private JitTrapLimit() {
    }

    /** Logs a warning, the first time only, when the limit is known to be below {@link #RECOMMENDED}. */
    static void warnIfLow(Logger log) {
        if (!CHECKED.compareAndSet(false, true)) {
            return;
        }
        OptionalLong limit = current();
        if (limit.isPresent() && limit.getAsLong() < RECOMMENDED) {
            log.warn("-XX:PerMethodTrapLimit={}: the JIT may box the CPU backend's vectors in some runs (1.5-2.5x"
                    + " slower on large kernels); start the JVM with -XX:PerMethodTrapLimit={}",
                    limit.getAsLong(), RECOMMENDED);
        }
    }

    /** The running JVM's limit, or empty where it cannot be read (not HotSpot, or no jdk.management). */
    static OptionalLong current() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(vm.getVMOption("PerMethodTrapLimit").getValue()));
        } catch (LinkageError | RuntimeException e) {
            // a JVM without the flag or the management module: nothing to advise
            return OptionalLong.empty();
        }
    }
}

package org.clconv.opencl;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per JVM, when an OpenCL backend starts on PoCL without the JDK's libjsig preloaded. PoCL builds
 * kernels with LLVM, which installs one-shot SIGSEGV/SIGBUS handlers over the JVM's at every build; the JVM traps
 * SIGSEGV on purpose at safepoints, and two threads trapping at once after a build kill it (exit 139). Preloading
 * libjsig ({@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}, as the launchers do) keeps the JVM's handlers first. A
 * library cannot fix this from inside the JVM: the preload must happen before the JVM starts.
 */
final class SignalChaining {
    private static final Logger LOG = LoggerFactory.getLogger(SignalChaining.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** The platform whose compiler replaces the handlers (others may too; this one is seen to). */
    private static final String POCL = "Portable Computing Language";

    private SignalChaining() {
    }

    static void warnIfUnprotected(DeviceInfo device) {
        if (device.platformName().contains(POCL) && !libjsigPreloaded(System.getenv("LD_PRELOAD"))
                && WARNED.compareAndSet(false, true)) {
            LOG.warn("OpenCL platform '{}' compiles kernels with LLVM, which replaces the JVM's SIGSEGV handler;"
                    + " without the JDK's libjsig preloaded the JVM can crash at a safepoint after a kernel build."
                    + " Start the JVM with LD_PRELOAD=$JAVA_HOME/lib/libjsig.so (scripts/clconv does)",
                    device.platformName());
        }
    }

    /** Whether an LD_PRELOAD value (may be null) preloads a libjsig. */
    static boolean libjsigPreloaded(String ldPreload) {
        if (ldPreload == null) {
            return false;
        }
        for (String entry : ldPreload.split("[: ]")) {
            if (entry.endsWith("/libjsig.so") || entry.equals("libjsig.so")) {
                return true;
            }
        }
        return false;
    }
}

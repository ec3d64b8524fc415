package org.clconv;

import java.util.Locale;
import org.clconv.cpu.CpuBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates backends by name: {@code cpu}, {@code opencl}, or {@code auto} (OpenCL when a device is usable,
 * else the CPU, with the reason logged at INFO).
 */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** {@link #create(String, String)} with the default device. */
    public static ConvBackend create(String kind) {
        return create(kind, null);
    }

    /**
     * Creates the named backend. {@code device} (an index or a case-insensitive name substring, or
     * {@code null} for the default) selects the OpenCL device and is ignored by the CPU backend.
     */
    public static ConvBackend create(String kind, String device) {
        switch (kind.trim().toLowerCase(Locale.ROOT)) {
            case "cpu":
                return new CpuBackend();
            case "opencl":
                throw new BackendException("backend 'opencl' is not available yet");
            case "auto":
                LOG.info("backend auto: chose cpu (OpenCL backend not available yet)");
                return new CpuBackend();
            default:
                throw new InvalidConvolutionException("backend must be one of auto, cpu, opencl, got '" + kind + "'");
        }
    }

    /** Human-readable lines describing every backend and device usable here (the {@code devices} command). */
    public static java.util.List<String> describeAvailable() {
        return java.util.List.of("cpu: " + Runtime.getRuntime().availableProcessors() + " cores (pure Java)",
                "opencl: not available yet");
    }
}

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

    public static ConvBackend create(String kind) {
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
}

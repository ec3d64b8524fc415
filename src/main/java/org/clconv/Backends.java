package org.clconv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.clconv.cpu.CpuBackend;
import org.clconv.opencl.DeviceInfo;
import org.clconv.opencl.Devices;
import org.clconv.opencl.OpenClBackend;
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
                return OpenClBackend.open(device);
            case "auto":
                return auto(device);
            default:
                throw new InvalidConvolutionException("backend must be one of auto, cpu, opencl, got '" + kind + "'");
        }
    }

    /**
     * OpenCL when a device is usable, else the CPU. A device selector that matches nothing is still an error
     * (the user asked for something specific); only a missing or failing OpenCL falls back.
     */
    private static ConvBackend auto(String device) {
        if (!Devices.available()) {
            LOG.info("backend auto: chose cpu because OpenCL is not available: {}", Devices.unavailableReason());
            return new CpuBackend();
        }
        DeviceInfo chosen = Devices.select(device);
        try {
            OpenClBackend backend = new OpenClBackend(chosen);
            LOG.info("backend auto: chose opencl on {} (an OpenCL device is usable; the default prefers GPU, then "
                    + "accelerator, then CPU devices; override with --device, -D{} or {})", chosen, Devices.PROPERTY,
                    Devices.ENVIRONMENT);
            return backend;
        } catch (BackendException e) {
            LOG.info("backend auto: chose cpu because OpenCL device {} failed to start: {}", chosen, e.getMessage());
            return new CpuBackend();
        }
    }

    /** Human-readable lines describing every backend and device usable here (the {@code devices} command). */
    public static List<String> describeAvailable() {
        List<String> lines = new ArrayList<>();
        lines.add("cpu: " + Runtime.getRuntime().availableProcessors() + " cores (pure Java)");
        if (!Devices.available()) {
            lines.add("opencl: not available (" + Devices.unavailableReason() + ")");
            return lines;
        }
        DeviceInfo chosen = defaultOrNull();
        for (DeviceInfo d : Devices.all()) {
            lines.add("opencl " + d.describe() + (d == chosen ? "  <- default" : ""));
        }
        return lines;
    }

    /** The device {@code opencl} would use, or {@code null} when the configured selector matches none. */
    private static DeviceInfo defaultOrNull() {
        try {
            return Devices.select(null);
        } catch (InvalidConvolutionException e) {
            return null;
        }
    }
}

package org.clconv.opencl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.clconv.InvalidConvolutionException;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers every OpenCL platform and device once per JVM and chooses one: by default a GPU, then an
 * accelerator, then a CPU device; overridden by a selector (an index into {@link #all()} or a
 * case-insensitive substring of the device, vendor or platform name) given explicitly, by the system
 * property {@value #PROPERTY} or by the environment variable {@value #ENVIRONMENT}, in that order.
 *
 * <p>A missing loader library, no platform, or no device is a normal state reported by
 * {@link #unavailableReason()}, never a crash.
 */
public final class Devices {
    public static final String PROPERTY = "clconv.device";
    public static final String ENVIRONMENT = "CLCONV_DEVICE";
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {
    }

    /** Discovery result: the devices, or why there are none. Computed on first use. */
    private static final class Discovery {
        static final Discovery INSTANCE = discover();

        final List<DeviceInfo> devices;
        final String unavailableReason;

        Discovery(List<DeviceInfo> devices, String unavailableReason) {
            this.devices = devices;
            this.unavailableReason = unavailableReason;
        }
    }

    /** Whether at least one OpenCL device exists. */
    public static boolean available() {
        return Discovery.INSTANCE.unavailableReason == null;
    }

    /** Why OpenCL cannot be used here, or {@code null} when it can. */
    public static String unavailableReason() {
        return Discovery.INSTANCE.unavailableReason;
    }

    /** Every device of every platform, in platform order; throws {@link OpenClUnavailableException} if none. */
    public static List<DeviceInfo> all() {
        Discovery d = Discovery.INSTANCE;
        if (d.unavailableReason != null) {
            throw new OpenClUnavailableException(d.unavailableReason);
        }
        return d.devices;
    }

    /** The device chosen when no selector is given: the first GPU, else accelerator, else CPU device. */
    public static DeviceInfo defaultDevice() {
        return all().stream().min(Comparator.comparing(DeviceInfo::kind)).orElseThrow();
    }

    /**
     * The device named by {@code explicitSelector}, else by {@value #PROPERTY}, else by {@value #ENVIRONMENT},
     * else the default. A selector that matches nothing is an {@link InvalidConvolutionException} listing the
     * devices (it is bad input, not a missing OpenCL).
     */
    public static DeviceInfo select(String explicitSelector) {
        List<DeviceInfo> devices = all();
        String[][] sources = {
            {explicitSelector, "--device"},
            {System.getProperty(PROPERTY), "system property " + PROPERTY},
            {System.getenv(ENVIRONMENT), "environment variable " + ENVIRONMENT}};
        for (String[] source : sources) {
            if (source[0] != null && !source[0].isBlank()) {
                return bySelector(devices, source[0].trim(), source[1]);
            }
        }
        return defaultDevice();
    }

    private static DeviceInfo bySelector(List<DeviceInfo> devices, String selector, String origin) {
        if (selector.chars().allMatch(Character::isDigit)) {
            int index = parseIndex(selector);
            if (index < devices.size()) {
                return devices.get(index);
            }
        } else {
            for (DeviceInfo d : devices) {
                if (d.matches(selector)) {
                    return d;
                }
            }
        }
        throw new InvalidConvolutionException("no OpenCL device matches '" + selector + "' (from " + origin
                + "); use an index or a name substring of one of: " + devices.stream()
                        .map(d -> "#" + d.index() + " " + d.name() + " (" + d.platformName() + ")")
                        .collect(Collectors.joining(", ")));
    }

    private static int parseIndex(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException tooLong) {
            return Integer.MAX_VALUE;
        }
    }

    private static Discovery discover() {
        try {
            List<DeviceInfo> devices = new ArrayList<>();
            for (cl_platform_id platform : platforms()) {
                for (cl_device_id device : devicesOf(platform)) {
                    devices.add(new DeviceInfo(devices.size(), platform, device));
                }
            }
            if (devices.isEmpty()) {
                return unavailable("OpenCL platforms exist but offer no device");
            }
            devices.forEach(d -> LOG.debug("OpenCL device {}", d.describe()));
            return new Discovery(List.copyOf(devices), null);
        } catch (LinkageError e) {
            // JOCL loads its JNI library and the OpenCL ICD loader on first use; either may be missing.
            return unavailable("the OpenCL library could not be loaded (" + e + ")");
        } catch (NoPlatformException e) {
            return unavailable(e.getMessage());
        } catch (RuntimeException e) {
            return unavailable("OpenCL discovery failed: " + e.getMessage());
        }
    }

    private static Discovery unavailable(String reason) {
        LOG.debug("OpenCL unavailable: {}", reason);
        return new Discovery(List.of(), reason);
    }

    private static cl_platform_id[] platforms() {
        int[] count = new int[1];
        int rc = CL.clGetPlatformIDs(0, null, count);
        if (rc == CL.CL_PLATFORM_NOT_FOUND_KHR || (rc == CL.CL_SUCCESS && count[0] == 0)) {
            throw new NoPlatformException();
        }
        ClErrors.check("clGetPlatformIDs", rc);
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClErrors.check("clGetPlatformIDs", CL.clGetPlatformIDs(platforms.length, platforms, null));
        return platforms;
    }

    private static cl_device_id[] devicesOf(cl_platform_id platform) {
        int[] count = new int[1];
        int rc = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
        if (rc == CL.CL_DEVICE_NOT_FOUND || count[0] == 0) {
            return new cl_device_id[0];
        }
        ClErrors.check("clGetDeviceIDs", rc);
        cl_device_id[] devices = new cl_device_id[count[0]];
        ClErrors.check("clGetDeviceIDs", CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, count[0], devices, null));
        return devices;
    }

    /** The ICD loader works but no vendor driver (platform) is installed. */
    private static final class NoPlatformException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoPlatformException() {
            super("no OpenCL platform is installed (CL_PLATFORM_NOT_FOUND_KHR); install a driver such as "
                    + "pocl-opencl-icd");
        }
    }
}

package org.clconv.opencl;

import java.util.Locale;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** One OpenCL device as discovered: its handles and the properties clconv uses or reports. Immutable. */
public final class DeviceInfo {
    /** Device classes in the order the default choice prefers them. */
    public enum Kind {
        GPU, ACCELERATOR, CPU, OTHER;

        static Kind of(long clDeviceType) {
            if ((clDeviceType & CL.CL_DEVICE_TYPE_GPU) != 0) {
                return GPU;
            }
            if ((clDeviceType & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
                return ACCELERATOR;
            }
            if ((clDeviceType & CL.CL_DEVICE_TYPE_CPU) != 0) {
                return CPU;
            }
            return OTHER;
        }
    }

    private final int index;
    private final cl_platform_id platform;
    private final cl_device_id device;
    private final String platformName;
    private final String name;
    private final String vendor;
    private final String driverVersion;
    private final Kind kind;
    private final int computeUnits;
    private final long globalMemBytes;
    private final long localMemBytes;
    private final long maxAllocBytes;
    private final long maxWorkGroupSize;
    private final String openClCVersion;
    private final boolean fp16;
    private final boolean fp64;

    DeviceInfo(int index, cl_platform_id platform, cl_device_id device) {
        this.index = index;
        this.platform = platform;
        this.device = device;
        this.platformName = ClInfo.platformString(platform, CL.CL_PLATFORM_NAME);
        this.name = ClInfo.deviceString(device, CL.CL_DEVICE_NAME);
        this.vendor = ClInfo.deviceString(device, CL.CL_DEVICE_VENDOR);
        this.driverVersion = ClInfo.deviceString(device, CL.CL_DRIVER_VERSION);
        this.kind = Kind.of(ClInfo.deviceUlong(device, CL.CL_DEVICE_TYPE));
        this.computeUnits = ClInfo.deviceUint(device, CL.CL_DEVICE_MAX_COMPUTE_UNITS);
        this.globalMemBytes = ClInfo.deviceUlong(device, CL.CL_DEVICE_GLOBAL_MEM_SIZE);
        this.localMemBytes = ClInfo.deviceUlong(device, CL.CL_DEVICE_LOCAL_MEM_SIZE);
        this.maxAllocBytes = ClInfo.deviceUlong(device, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        this.maxWorkGroupSize = ClInfo.deviceSize(device, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE);
        this.openClCVersion = ClInfo.deviceString(device, CL.CL_DEVICE_OPENCL_C_VERSION);
        String extensions = ClInfo.deviceString(device, CL.CL_DEVICE_EXTENSIONS);
        this.fp16 = extensions.contains("cl_khr_fp16");
        this.fp64 = extensions.contains("cl_khr_fp64");
    }

    /** The position in {@link Devices#all()}, usable as a {@code --device} selector. */
    public int index() { return index; }
    public String platformName() { return platformName; }
    public String name() { return name; }
    public String vendor() { return vendor; }
    public String driverVersion() { return driverVersion; }
    public Kind kind() { return kind; }
    public int computeUnits() { return computeUnits; }
    public long globalMemBytes() { return globalMemBytes; }
    public long localMemBytes() { return localMemBytes; }
    /** {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}: the largest single buffer. */
    public long maxAllocBytes() { return maxAllocBytes; }
    public long maxWorkGroupSize() { return maxWorkGroupSize; }
    public String openClCVersion() { return openClCVersion; }
    public boolean supportsFp16() { return fp16; }
    public boolean supportsFp64() { return fp64; }

    cl_platform_id platform() {
        return platform;
    }

    cl_device_id device() {
        return device;
    }

    /** Whether a {@code --device} name selector picks this device: a substring of its name, vendor or platform. */
    boolean matches(String needle) {
        String n = needle.toLowerCase(Locale.ROOT);
        return name.toLowerCase(Locale.ROOT).contains(n) || vendor.toLowerCase(Locale.ROOT).contains(n)
                || platformName.toLowerCase(Locale.ROOT).contains(n);
    }

    /** One line for the {@code devices} listing. */
    public String describe() {
        return "#" + index + " " + name + " [" + kind + "] platform " + platformName + ", driver " + driverVersion
                + ", " + computeUnits + " compute units, global " + bytes(globalMemBytes) + ", local "
                + bytes(localMemBytes) + ", max work-group " + maxWorkGroupSize + ", " + openClCVersion + ", fp16 "
                + (fp16 ? "yes" : "no") + ", fp64 " + (fp64 ? "yes" : "no");
    }

    /** Short form for logs and {@code deviceDescription()}. */
    @Override
    public String toString() {
        return name + " (" + platformName + ", " + kind + ", driver " + driverVersion + ")";
    }

    private static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return (n >> 10) + " KiB";
    }
}

package org.clconv.opencl;

import java.util.function.LongSupplier;
import org.clconv.Shape;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * The measured limits of an OpenCL device, timed with the same profiling events as the convolutions:
 * <ul>
 * <li>copy bandwidth: a filled buffer of up to {@value #COPY_MIB} MiB copied by a coalesced float4 kernel and by
 *     {@code clEnqueueCopyBuffer}, whichever is faster; bytes read plus written over the device time;</li>
 * <li>fp32 FMA rate: independent {@code fma} chains per work-item, enough work-items to fill every compute
 *     unit, and enough iterations for each launch to take about {@value #TARGET_MILLIS} ms; scalar chains
 *     (what a GPU runs best) and float16 chains (explicit SIMD, which a CPU device needs), whichever is
 *     faster.</li>
 * </ul>
 * Each figure is the best of {@value #ROUNDS} launches after a warm-up launch.
 */
public final class DeviceCeilings {
    static final int COPY_MIB = 256;
    /**
     * (chains, vector width) of the FMA variants: 8 scalar chains per work-item fill a GPU (its parallelism is
     * across work-items); a CPU device such as PoCL runs one work-item's code on one core and needs explicit SIMD
     * with enough independent chains to cover the FMA latency on every pipe, but no more than its vector registers
     * hold: on AVX2 (16 registers of 8 floats) 12 chains of float8 reach 204 GFLOP/s on two cores where 16 chains
     * of float16 (32 registers' worth, spilled) reached 55. float4 is for 128-bit SIMD, float16 for AVX-512.
     */
    private static final int[][] FMA_SHAPES = {{8, 1}, {8, 4}, {12, 8}, {8, 16}};
    static final int ROUNDS = 10;
    static final int TARGET_MILLIS = 20;
    /** Work-items per compute unit for the FMA kernel: many resident warps/wavefronts on a GPU, SIMD lanes on a CPU. */
    private static final int ITEMS_PER_COMPUTE_UNIT = 2048;
    private static final KernelSource COPY = KernelSource.fromResources("copy_float4", "ceiling_copy.cl");
    private static final KernelSource FMA = KernelSource.fromResources("fma_chains", "ceiling_fma.cl");

    private final double bytesPerSecond;
    private final double flopsPerSecond;
    private final String bandwidthMethod;
    private final String fmaMethod;

    private DeviceCeilings(double bytesPerSecond, double flopsPerSecond, String bandwidthMethod, String fmaMethod) {
        this.bytesPerSecond = bytesPerSecond;
        this.flopsPerSecond = flopsPerSecond;
        this.bandwidthMethod = bandwidthMethod;
        this.fmaMethod = fmaMethod;
    }

    /** Measures the device of {@code backend} on its own queue (about a second on a GPU, a few on a CPU device). */
    public static DeviceCeilings measure(OpenClBackend backend) {
        DeviceInfo device = backend.device();
        long copyBytes = Math.min(COPY_MIB << 20, Math.min(device.maxAllocBytes(), device.globalMemBytes() / 8)) & ~63L;
        int floats = (int) (copyBytes / Sizeof.cl_float);
        double kernelCopy;
        double bufferCopy;
        try (DeviceTensor source = backend.allocate(Shape.of(floats));
             DeviceTensor target = backend.allocate(Shape.of(floats))) {
            cl_mem in = source.mem(backend);
            cl_mem out = target.mem(backend);
            fill(backend, in, copyBytes);
            kernelCopy = bestRate(2.0 * copyBytes, () -> launch(backend, COPY, "", floats / 4, in, out));
            bufferCopy = bestRate(2.0 * copyBytes, () -> backend.timeOnQueue((queue, event) -> ClErrors.check(
                    "clEnqueueCopyBuffer", CL.clEnqueueCopyBuffer(queue, in, out, 0, 0, copyBytes, 0, null, event))));
        }
        int items = Math.max(1, device.computeUnits()) * ITEMS_PER_COMPUTE_UNIT;
        double fma = 0;
        String fmaHow = "";
        for (int[] shape : FMA_SHAPES) {
            FmaKernel kernel = new FmaKernel(backend, items, shape[0], shape[1]);
            double rate = kernel.measure();
            if (rate > fma) {
                fma = rate;
                fmaHow = kernel.toString();
            }
        }
        String copyHow = kernelCopy >= bufferCopy ? "a float4 copy kernel" : "clEnqueueCopyBuffer";
        return new DeviceCeilings(Math.max(kernelCopy, bufferCopy), fma,
                copyHow + " over " + (copyBytes >> 20) + " MiB, bytes read+written, device time (best of "
                        + ROUNDS + ")",
                fmaHow + ", device time (best of " + ROUNDS + ")");
    }

    /**
     * Writes every byte of {@code buffer} before it is timed as a copy's source. A CPU device such as PoCL backs a
     * buffer with host pages that stay unmapped until written, and reads of those all hit the one shared zero page,
     * which stays in cache: PoCL copied an unwritten 256 MiB buffer at 74-80 GB/s against 32-33 GB/s once it was
     * filled, the same as Java's copy on the same cores.
     */
    static void fill(OpenClBackend backend, cl_mem buffer, long bytes) {
        float[] pattern = {1.0f};
        backend.timeOnQueue((queue, event) -> ClErrors.check("clEnqueueFillBuffer", CL.clEnqueueFillBuffer(queue,
                buffer, Pointer.to(pattern), Sizeof.cl_float, 0, bytes, 0, null, event)));
    }

    /** Copy bandwidth in bytes read plus written per second. */
    public double bytesPerSecond() {
        return bytesPerSecond;
    }

    /** fp32 FLOPs per second, an FMA counting two. */
    public double flopsPerSecond() {
        return flopsPerSecond;
    }

    public String bandwidthMethod() {
        return bandwidthMethod;
    }

    public String fmaMethod() {
        return fmaMethod;
    }

    /** One untimed warm-up launch, then the best of {@value #ROUNDS}. */
    private static double bestRate(double work, LongSupplier launch) {
        launch.getAsLong();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++) {
            best = Math.min(best, Math.max(1, launch.getAsLong()));
        }
        return work / (best * 1e-9);
    }

    /** Runs one launch of a 1-D kernel over {@code items} work-items with the given arguments; its device time. */
    private static long launch(OpenClBackend backend, KernelSource source, String options, long items, Object... args) {
        Program program = backend.program(source, options);
        cl_kernel kernel = program.borrowKernel();
        try {
            for (int i = 0; i < args.length; i++) {
                setArgument(kernel, i, args[i]);
            }
            return backend.timeOnQueue((cl_command_queue queue, cl_event event) -> ClErrors.check("clEnqueueNDRangeKernel",
                    CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {items}, null, 0, null, event)));
        } finally {
            program.returnKernel(kernel);
        }
    }

    private static void setArgument(cl_kernel kernel, int index, Object value) {
        int rc;
        if (value instanceof cl_mem) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to((cl_mem) value));
        } else if (value instanceof Integer) {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {(Integer) value}));
        } else {
            rc = CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {(Float) value}));
        }
        ClErrors.check("clSetKernelArg", rc);
    }

    /** One variant of the FMA kernel: its chains, vector width and output buffer. */
    private static final class FmaKernel {
        private final OpenClBackend backend;
        private final int items;
        private final int chains;
        private final int width;
        private int iterations = 256;

        FmaKernel(OpenClBackend backend, int items, int chains, int width) {
            this.backend = backend;
            this.items = items;
            this.chains = chains;
            this.width = width;
        }

        /** FLOPs per second: the iteration count doubled from a short trial until a launch takes about the target. */
        double measure() {
            try (DeviceTensor sums = backend.allocate(Shape.of(items, width))) {
                cl_mem out = sums.mem(backend);
                long target = TARGET_MILLIS * 1_000_000L;
                while (launch(out) < target / 2 && iterations < (1 << 24)) {
                    iterations *= 2;
                }
                return bestRate(2.0 * chains * width * items * (double) iterations, () -> launch(out));
            }
        }

        private long launch(cl_mem out) {
            return DeviceCeilings.launch(backend, FMA, "-D CHAINS=" + chains + " -D WIDTH=" + width, items, out,
                    iterations, 0.999999f, 1e-6f);
        }

        @Override
        public String toString() {
            return chains + " chains of " + (width == 1 ? "float" : "float" + width) + " fma x " + iterations
                    + " iterations in " + items + " work-items";
        }
    }
}

package org.clconv.opencl;

import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.clconv.ConvBackend;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.InvalidConvolutionException;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs convolutions on one OpenCL device: one context and one in-order, profiling-enabled queue; programs
 * built once per (family source, defines) and shared; weights uploaded once per layer; device buffers pooled.
 *
 * <p>Thread-safe: any number of threads may call one instance. Calls share the queue (OpenCL API calls are
 * thread-safe; each call borrows its own kernel object). {@link #close()} waits for calls in flight, then
 * releases kernels, programs, buffers, the queue and the context; later calls throw
 * {@link IllegalStateException}.
 *
 * <p>Besides the host-tensor {@link ConvBackend} calls it offers device-resident tensors ({@link #upload},
 * {@link #conv2d(ConvLayer, DeviceTensor)}, {@link #download}) for chains that transfer only their ends.
 */
public final class OpenClBackend implements ConvBackend {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);
    private static final long FLOAT_BYTES = Sizeof.cl_float;

    private final DeviceInfo device;
    private final KernelParams params;
    /** Tuned schedules per layer shape, or {@code null} when the schedule was given explicitly. */
    private final TuningCache tuned;
    private final ClContext context;
    private final ProgramCache programs;
    private final BufferPool buffers;
    private final WeightCache weights;
    private final KernelLauncher launcher;
    /** Calls hold the read lock; close takes the write lock, so it waits for them and they never see it half done. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** A backend on the device chosen by {@link Devices#select}: {@code selector}, else the configured default. */
    public static OpenClBackend open(String selector) {
        return new OpenClBackend(Devices.select(selector));
    }

    /** The device's default schedules, overridden per layer shape by its tuning cache ({@link TuningCache}). */
    public OpenClBackend(DeviceInfo device) {
        this(device, KernelParams.defaultsFor(device), TuningCache.load(TuningCache.defaultPath(device), device));
    }

    /** Exactly {@code params} for every layer (no tuning cache). */
    public OpenClBackend(DeviceInfo device, KernelParams params) {
        this(device, params, null);
    }

    /** {@code params} where {@code tuned} (may be {@code null}) has no schedule for a layer shape. */
    public OpenClBackend(DeviceInfo device, KernelParams params, TuningCache tuned) {
        params.checkFits(device);
        SignalChaining.warnIfUnprotected(device);
        this.device = device;
        this.params = params;
        this.tuned = tuned;
        this.context = new ClContext(device);
        this.programs = new ProgramCache(context);
        // Keep idle buffers up to a quarter of the device memory; beyond that a released buffer is freed.
        this.buffers = new BufferPool(context, device.globalMemBytes() / 4);
        this.weights = new WeightCache(buffers);
        this.launcher = new KernelLauncher(context, programs);
        LOG.debug("OpenCL backend on {} with {}; {}", device, params,
                tuned == null ? "no tuning cache" : tuned.size() + " tuned layer shapes from " + tuned.file());
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String deviceDescription() {
        return device.toString();
    }

    public DeviceInfo device() {
        return device;
    }

    /** The default schedule (what runs where no tuned one exists). */
    public KernelParams params() {
        return params;
    }

    /** Whether a layer shape runs a tuned schedule rather than the defaults. */
    public boolean isTuned(ConvGeometry geometry) {
        return tuned != null && tuned.has(geometry);
    }

    /** The schedule {@code geometry} runs with. */
    KernelParams paramsFor(ConvGeometry geometry) {
        return tuned == null ? params : tuned.paramsFor(geometry, params);
    }

    @Override
    public Tensor conv2d(ConvLayer layer, Tensor input) {
        ConvGeometry geometry = layer.bind(input.shape());
        return runHost(layer, geometry, input, Tensor.zeros(geometry.outputShape()));
    }

    @Override
    public Tensor conv2d(ConvLayer layer, Tensor input, Tensor output) {
        ConvGeometry geometry = layer.bind(input.shape());
        geometry.checkOutput(input, Objects.requireNonNull(output, "output"));
        return runHost(layer, geometry, input, output);
    }

    /** Uploads the input, runs the layer and downloads into {@code output} (checked by the caller). */
    private Tensor runHost(ConvLayer layer, ConvGeometry geometry, Tensor input, Tensor output) {
        return whileOpen(() -> {
            try (DeviceTensor in = upload(input); DeviceTensor out = run(layer, geometry, in)) {
                return download(out, output);
            }
        });
    }

    @Override
    public Tensor separable(SeparableBlock block, Tensor input) {
        return runHostSeparable(block, input, Tensor.zeros(block.outputShape(input.shape())));
    }

    @Override
    public Tensor separable(SeparableBlock block, Tensor input, Tensor output) {
        ConvGeometry.checkOutput(block.outputShape(input.shape()), input, Objects.requireNonNull(output, "output"));
        return runHostSeparable(block, input, output);
    }

    /** Uploads the input, runs the block on the device and downloads into {@code output} (checked by the caller). */
    private Tensor runHostSeparable(SeparableBlock block, Tensor input, Tensor output) {
        return whileOpen(() -> {
            try (DeviceTensor in = upload(input); DeviceTensor out = separable(block, in)) {
                return download(out, output);
            }
        });
    }

    /** Copies a host tensor to the device. */
    public DeviceTensor upload(Tensor tensor) {
        return whileOpen(() -> {
            DeviceTensor t = allocate(tensor.shape());
            try {
                ClErrors.check("clEnqueueWriteBuffer", CL.clEnqueueWriteBuffer(context.queue(), t.mem(this),
                        CL.CL_TRUE, 0, bytesOf(tensor.shape()), Pointer.to(tensor.data()), 0, null, null));
                return t;
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
        });
    }

    /** An uninitialised device tensor (from the pool). */
    public DeviceTensor allocate(Shape shape) {
        Tensor.checkedNumel("device tensor", shape);
        return whileOpen(() -> new DeviceTensor(this, shape, buffers.acquire(bytesOf(shape))));
    }

    /** Copies a device tensor to the host, after every command enqueued before it has finished. */
    public Tensor download(DeviceTensor tensor) {
        return download(tensor, Tensor.zeros(tensor.shape()));
    }

    /** {@link #download(DeviceTensor)} into a host tensor of the same shape; returns {@code into}. */
    public Tensor download(DeviceTensor tensor, Tensor into) {
        if (!into.shape().equals(tensor.shape())) {
            throw new IllegalArgumentException("download into a " + into.shape() + " tensor of a " + tensor.shape()
                    + " device tensor");
        }
        return whileOpen(() -> {
            ClErrors.check("clEnqueueReadBuffer", CL.clEnqueueReadBuffer(context.queue(), tensor.mem(this),
                    CL.CL_TRUE, 0, bytesOf(tensor.shape()), Pointer.to(into.data()), 0, null, null));
            return into;
        });
    }

    /** Runs {@code layer} on a device tensor into a new device tensor, without waiting for the result. */
    public DeviceTensor conv2d(ConvLayer layer, DeviceTensor input) {
        ConvGeometry geometry = layer.bind(input.shape());
        return whileOpen(() -> run(layer, geometry, input));
    }

    /**
     * Runs {@code layer} from {@code input} into an existing {@code output} of the right shape, waits for it and
     * returns the kernel's device time in nanoseconds (from the queue's profiling), for benchmarks.
     */
    public long conv2d(ConvLayer layer, DeviceTensor input, DeviceTensor output) {
        return conv2d(layer, input, output, paramsFor(layer.bind(input.shape())));
    }

    /** The timed call with an explicit schedule (the tuner's candidates). */
    long conv2d(ConvLayer layer, DeviceTensor input, DeviceTensor output, KernelParams schedule) {
        ConvGeometry geometry = layer.bind(input.shape());
        schedule.checkFits(device);
        if (!output.shape().equals(geometry.outputShape())) {
            throw new InvalidConvolutionException("output tensor has shape " + output.shape() + " but " + layer.spec()
                    + " on input " + input.shape() + " produces " + geometry.outputShape());
        }
        if (output == input) {
            throw new InvalidConvolutionException("output must be a different tensor from the input");
        }
        return timeOnQueue((queue, event) -> enqueue(layer, geometry, schedule, input, output, event));
    }

    /** Depthwise then pointwise on the device; the intermediate never leaves it. */
    public DeviceTensor separable(SeparableBlock block, DeviceTensor input) {
        block.outputShape(input.shape());
        return whileOpen(() -> {
            try (DeviceTensor mid = conv2d(block.depthwise(), input)) {
                return conv2d(block.pointwise(), mid);
            }
        });
    }

    /** {@code clBuildProgram} calls so far (a repeated shape builds nothing). */
    public int programBuilds() {
        return programs.builds();
    }

    /** Device buffers handed out and not yet returned (tensors open, cached weights). */
    public int liveBuffers() {
        return buffers.liveBuffers();
    }

    /** Device buffers created so far; steady-state calls of the same shapes do not add to it. */
    public long bufferAllocations() {
        return buffers.allocations();
    }

    /** Waits for, then releases, everything: kernels, programs, buffers, queue, context. Idempotent. */
    @Override
    public void close() {
        Lock write = lifecycle.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                context.finish();
            } catch (OpenClException e) {
                LOG.warn("OpenCL queue failed while closing the backend on {}: {}", device, e.getMessage());
            }
            programs.close();
            weights.clear();
            buffers.close();
            context.close();
        } finally {
            write.unlock();
        }
    }

    /** One command to enqueue on the backend's queue, signalling {@code event}. */
    @FunctionalInterface
    interface QueuedCommand {
        void enqueue(cl_command_queue queue, cl_event event);
    }

    /**
     * Enqueues one command with a profiling event, waits for it and returns its device time in nanoseconds
     * (the timed conv2d, and device measurements such as {@link DeviceCeilings}).
     */
    long timeOnQueue(QueuedCommand command) {
        return whileOpen(() -> {
            cl_event event = new cl_event();
            command.enqueue(context.queue(), event);
            try {
                ClErrors.check("clWaitForEvents", CL.clWaitForEvents(1, new cl_event[] {event}));
                return profilingTime(event, CL.CL_PROFILING_COMMAND_END)
                        - profilingTime(event, CL.CL_PROFILING_COMMAND_START);
            } finally {
                CL.clReleaseEvent(event);
            }
        });
    }

    /** The program for {@code source} and {@code options}, through the same cache the kernels use. */
    Program program(KernelSource source, String options) {
        return whileOpen(() -> programs.get(source, options));
    }

    /** Allocation failures and pool accounting are tested against the pool directly. */
    BufferPool bufferPool() {
        return buffers;
    }

    /** Called by {@link DeviceTensor#close()}; after the backend closed, its pool already freed the buffer. */
    void recycle(DeviceBuffer buffer) {
        Lock read = lifecycle.readLock();
        read.lock();
        try {
            if (!closed) {
                buffers.release(buffer);
            }
        } finally {
            read.unlock();
        }
    }

    private DeviceTensor run(ConvLayer layer, ConvGeometry geometry, DeviceTensor input) {
        DeviceTensor output = allocate(geometry.outputShape());
        try {
            enqueue(layer, geometry, paramsFor(geometry), input, output, null);
            return output;
        } catch (RuntimeException e) {
            output.close();
            throw e;
        }
    }

    private void enqueue(ConvLayer layer, ConvGeometry geometry, KernelParams schedule, DeviceTensor input,
                         DeviceTensor output, cl_event event) {
        LayerWeights w = weights.get(layer, this::uploadWeights);
        launcher.launch(KernelPlan.of(geometry, schedule), input.mem(this), w.weight().mem(),
                w.bias() == null ? null : w.bias().mem(), output.mem(this), event);
    }

    private LayerWeights uploadWeights(ConvLayer layer) {
        DeviceBuffer weight = uploadBuffer(layer.weight());
        try {
            return new LayerWeights(weight, layer.bias() == null ? null : uploadBuffer(layer.bias()));
        } catch (RuntimeException e) {
            buffers.release(weight);
            throw e;
        }
    }

    private DeviceBuffer uploadBuffer(Tensor tensor) {
        DeviceBuffer buffer = buffers.acquire(bytesOf(tensor.shape()));
        try {
            ClErrors.check("clEnqueueWriteBuffer", CL.clEnqueueWriteBuffer(context.queue(), buffer.mem(),
                    CL.CL_TRUE, 0, buffer.bytes(), Pointer.to(tensor.data()), 0, null, null));
            return buffer;
        } catch (RuntimeException e) {
            buffers.release(buffer);
            throw e;
        }
    }

    private static long profilingTime(cl_event event, int which) {
        long[] nanos = new long[1];
        ClErrors.check("clGetEventProfilingInfo",
                CL.clGetEventProfilingInfo(event, which, Sizeof.cl_ulong, Pointer.to(nanos), null));
        return nanos[0];
    }

    private static long bytesOf(Shape shape) {
        return shape.numel() * FLOAT_BYTES;
    }

    private <T> T whileOpen(Supplier<T> call) {
        Lock read = lifecycle.readLock();
        read.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the OpenCL backend on " + device + " is closed");
            }
            return call.get();
        } finally {
            read.unlock();
        }
    }
}

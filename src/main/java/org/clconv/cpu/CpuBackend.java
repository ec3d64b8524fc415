package org.clconv.cpu;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clconv.Conv2d;
import org.clconv.ConvBackend;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.SeparableBlock;
import org.clconv.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure-Java backend. Picks one of seven paths per layer ({@link Depthwise3x3Convolution},
 * {@link Depthwise3x3Stride2Convolution}, {@link DepthwiseConvolution}, {@link PointwiseGemm},
 * {@link WinogradConvolution}, {@link PaddedInputConvolution}, {@link ImplicitGemmConvolution}) and runs it on one
 * {@link WorkerPool} owned by this instance, so no call creates threads. Packed weights are cached per layer
 * instance. The inner loops are {@link MicroKernels#best()}: explicit vectors when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, plain Java otherwise (same results).
 *
 * <p>Thread safety: the pool, the weight cache and the {@link ScratchArrays} are shared and thread-safe; a
 * scratch array (accumulator rows, packed tiles, a separable block's intermediate) is lent to one chunk or call
 * at a time. {@link #close()} shuts the pool down.
 */
public final class CpuBackend implements ConvBackend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);

    private final int threads;
    private final MicroKernels kernels;
    private final WorkerPool pool;
    private final ParallelRunner runner;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConvPath depthwise3x3;
    private final ConvPath depthwise3x3Stride2;
    private final ConvPath depthwise;
    private final ConvPath pointwise;
    private final PaddedInputConvolution paddedInput;
    private final WinogradConvolution winograd;
    private final ConvPath general;

    /** A backend with one thread per available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this(threads, MicroKernels.best());
    }

    /** A backend on the given kernels (tests run both implementations). */
    CpuBackend(int threads, MicroKernels kernels) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.kernels = kernels;
        this.pool = new WorkerPool(threads - 1);
        this.runner = new ParallelRunner(pool);
        PackedWeightCache weights = new PackedWeightCache();
        this.depthwise3x3 = new Depthwise3x3Convolution(runner, kernels);
        this.depthwise3x3Stride2 = new Depthwise3x3Stride2Convolution(runner, kernels);
        this.depthwise = new DepthwiseConvolution(runner, kernels);
        this.pointwise = new PointwiseGemm(runner, weights, kernels);
        this.paddedInput = new PaddedInputConvolution(runner, weights, kernels);
        this.general = new ImplicitGemmConvolution(runner, weights, kernels);
        this.winograd = new WinogradConvolution(runner, weights, kernels, paddedInput, general);
        LOG.debug("CPU backend started: {}", deviceDescription());
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String deviceDescription() {
        return "Java " + Runtime.version().feature() + ", " + threads + (threads == 1 ? " thread, " : " threads, ")
                + System.getProperty("os.arch") + ", " + kernels.name() + " kernels";
    }

    @Override
    public Tensor conv2d(ConvLayer layer, Tensor input) {
        ConvGeometry geometry = bind(layer, input);
        return run(layer, geometry, input, Tensor.zeros(geometry.outputShape()));
    }

    @Override
    public Tensor conv2d(ConvLayer layer, Tensor input, Tensor output) {
        ConvGeometry geometry = bind(layer, input);
        Objects.requireNonNull(output, "output");
        geometry.checkOutput(input, output);
        return run(layer, geometry, input, output);
    }

    @Override
    public Tensor separable(SeparableBlock block, Tensor input) {
        Stages stages = bind(block, input);
        return runSeparable(block, stages, input, Tensor.zeros(stages.pointwise.outputShape()));
    }

    @Override
    public Tensor separable(SeparableBlock block, Tensor input, Tensor output) {
        Stages stages = bind(block, input);
        Objects.requireNonNull(output, "output");
        stages.pointwise.checkOutput(input, output);
        return runSeparable(block, stages, input, output);
    }

    /** A block's two layers bound to an input: both checked before either is computed. */
    private record Stages(ConvGeometry depthwise, ConvGeometry pointwise) {
    }

    /** Both layers, the intermediate in a borrowed scratch array rather than a new tensor per call. */
    private Tensor runSeparable(SeparableBlock block, Stages stages, Tensor input, Tensor output) {
        float[] intermediate = runner.borrow(Math.toIntExact(stages.depthwise.outputShape().numel()));
        try {
            run(block.depthwise(), stages.depthwise, input.data(), intermediate);
            run(block.pointwise(), stages.pointwise, intermediate, output.data());
        } finally {
            runner.giveBack(intermediate);
        }
        return output;
    }

    private ConvGeometry bind(ConvLayer layer, Tensor input) {
        requireOpen();
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(input, "input");
        return layer.bind(input.shape());
    }

    /** Binds both layers before computing either, so a bad pointwise layer fails before the depthwise work. */
    private Stages bind(SeparableBlock block, Tensor input) {
        requireOpen();
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(input, "input");
        ConvGeometry depthwise = block.depthwise().bind(input.shape());
        return new Stages(depthwise, block.pointwise().bind(depthwise.outputShape()));
    }

    private Tensor run(ConvLayer layer, ConvGeometry geometry, Tensor input, Tensor output) {
        run(layer, geometry, input.data(), output.data());
        return output;
    }

    private void run(ConvLayer layer, ConvGeometry geometry, float[] in, float[] out) {
        pathFor(layer, geometry).run(layer, geometry, in, out);
    }

    /**
     * {@link #pathFor(Conv2d)}, except that a general layer that Winograd F(4x4, 3x3) or else the padded-input GEMM
     * suits on this input takes it.
     */
    ConvPath pathFor(ConvLayer layer, ConvGeometry geometry) {
        ConvPath path = pathFor(layer.spec());
        if (path != general) {
            return path;
        }
        if (winograd.suits(layer, geometry)) {
            return winograd;
        }
        return paddedInput.suits(layer, geometry) ? paddedInput : path;
    }

    /**
     * Depthwise first (also for 1x1 depthwise: no channel reduction to block), its two most common forms on their
     * own paths; then pointwise, else general.
     */
    ConvPath pathFor(Conv2d spec) {
        if (Depthwise3x3Convolution.accepts(spec)) {
            return depthwise3x3;
        }
        if (Depthwise3x3Stride2Convolution.accepts(spec)) {
            return depthwise3x3Stride2;
        }
        if (spec.isDepthwise()) {
            return depthwise;
        }
        if (spec.isPointwise()) {
            return pointwise;
        }
        return general;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this CpuBackend has been closed; create a new one");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.close();
            LOG.debug("CPU backend closed");
        }
    }
}

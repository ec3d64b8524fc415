package org.clconv;

/**
 * Runs convolutions on one device. Every implementation computes {@code torch.nn.Conv2d} exactly (to float32
 * rounding) for every valid {@link Conv2d}; fast paths are an implementation detail.
 *
 * <p>Thread safety: one instance may be called from many threads at once. Resources: a backend owns native
 * or pooled resources and releases them in {@link #close()}, which is idempotent; any call after it throws
 * {@link IllegalStateException}.
 *
 * <p>Errors: invalid shapes or parameters throw {@link InvalidConvolutionException} before any work starts;
 * a device failure throws {@link BackendException} and leaves the backend usable.
 */
public interface ConvBackend extends AutoCloseable {

    /** A short name: {@code cpu}, {@code opencl}. */
    String name();

    /** The device it runs on, for humans: e.g. {@code "Java, 2 threads"} or the OpenCL device and driver. */
    String deviceDescription();

    /** Runs one convolution (bias and activation fused) on an NCHW host tensor, into a new tensor. */
    Tensor conv2d(ConvLayer layer, Tensor input);

    /**
     * Runs one convolution into the caller's {@code output} (every element overwritten) and returns it. For
     * services that reuse their buffers: a new Java array is zeroed by the JVM, which for a small layer costs
     * as much as the convolution. The output must have the layer's output shape and its own array.
     */
    Tensor conv2d(ConvLayer layer, Tensor input, Tensor output);

    /** Runs depthwise then pointwise as one call; a backend may keep the intermediate on its device. */
    Tensor separable(SeparableBlock block, Tensor input);

    /** {@link #separable(SeparableBlock, Tensor)} into the caller's {@code output}, as for {@code conv2d}. */
    Tensor separable(SeparableBlock block, Tensor input, Tensor output);

    /** Convenience form of {@link #conv2d(ConvLayer, Tensor)}; {@code bias} may be {@code null}. */
    default Tensor conv2d(Conv2d spec, Tensor input, Tensor weight, Tensor bias) {
        return conv2d(new ConvLayer(spec, weight, bias), input);
    }

    @Override
    void close();
}

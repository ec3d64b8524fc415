package org.clconv.opencl;

import java.util.concurrent.atomic.AtomicBoolean;
import org.clconv.Shape;
import org.jocl.cl_mem;

/**
 * An NCHW float32 tensor resident on an {@link OpenClBackend}'s device, for chains of convolutions that
 * download only their result. Close it when done: its buffer goes back to the backend's pool. Using a closed
 * tensor, or any tensor of a closed backend, throws {@link IllegalStateException}. Do not close a tensor
 * while another thread is still passing it to the backend.
 */
public final class DeviceTensor implements AutoCloseable {
    private final OpenClBackend owner;
    private final Shape shape;
    private final DeviceBuffer buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    DeviceTensor(OpenClBackend owner, Shape shape, DeviceBuffer buffer) {
        this.owner = owner;
        this.shape = shape;
        this.buffer = buffer;
    }

    public Shape shape() {
        return shape;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** The device buffer, for the owning backend: checks that the tensor is still open and belongs to it. */
    cl_mem mem(OpenClBackend caller) {
        if (caller != owner) {
            throw new IllegalArgumentException("DeviceTensor" + shape + " belongs to another OpenCL backend");
        }
        if (closed.get()) {
            throw new IllegalStateException("DeviceTensor" + shape + " is closed");
        }
        return buffer.mem();
    }

    /** Returns the buffer to the backend's pool; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.recycle(buffer);
        }
    }

    @Override
    public String toString() {
        return "DeviceTensor" + shape + (closed.get() ? " (closed)" : "");
    }
}

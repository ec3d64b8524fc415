package org.clconv.opencl;

import org.jocl.cl_mem;

/** A device buffer handed out by a {@link BufferPool}: the handle and its size in bytes. */
final class DeviceBuffer {
    private final cl_mem mem;
    private final long bytes;

    DeviceBuffer(cl_mem mem, long bytes) {
        this.mem = mem;
        this.bytes = bytes;
    }

    cl_mem mem() {
        return mem;
    }

    long bytes() {
        return bytes;
    }
}

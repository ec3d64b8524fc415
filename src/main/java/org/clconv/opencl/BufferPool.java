package org.clconv.opencl;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.jocl.CL;
import org.jocl.cl_mem;

/**
 * Device buffers reused by exact size, so steady-state calls of the same shapes allocate nothing. A released
 * buffer may be handed out again at once: every command that used it is already enqueued on the backend's
 * in-order queue, so the next user's commands run after them. Idle buffers are kept up to a byte budget;
 * beyond it, and when an allocation fails for lack of memory, idle buffers are freed.
 */
final class BufferPool implements AutoCloseable {
    private final ClContext context;
    private final long idleBudgetBytes;
    private final Map<Long, ArrayDeque<DeviceBuffer>> idleBySize = new HashMap<>();
    private final Set<DeviceBuffer> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
    private long idleBytes;
    private long allocations;

    BufferPool(ClContext context, long idleBudgetBytes) {
        this.context = context;
        this.idleBudgetBytes = idleBudgetBytes;
    }

    /** A buffer of exactly {@code bytes} bytes, reused when one is idle. */
    synchronized DeviceBuffer acquire(long bytes) {
        ArrayDeque<DeviceBuffer> idle = idleBySize.get(bytes);
        DeviceBuffer buffer = idle == null ? null : idle.pollFirst();
        if (buffer != null) {
            idleBytes -= bytes;
        } else {
            buffer = allocate(bytes);
        }
        inUse.add(buffer);
        return buffer;
    }

    /** Takes a buffer back; it must have come from {@link #acquire} and be released once. */
    synchronized void release(DeviceBuffer buffer) {
        if (!inUse.remove(buffer)) {
            throw new IllegalStateException("buffer released twice or not from this pool");
        }
        if (idleBytes + buffer.bytes() > idleBudgetBytes) {
            CL.clReleaseMemObject(buffer.mem());
            return;
        }
        idleBySize.computeIfAbsent(buffer.bytes(), b -> new ArrayDeque<>()).addFirst(buffer);
        idleBytes += buffer.bytes();
    }

    /** Buffers handed out and not yet released. */
    synchronized int liveBuffers() {
        return inUse.size();
    }

    /** Buffers kept idle for reuse. */
    synchronized int idleBuffers() {
        return idleBySize.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** How many device buffers were ever created ({@code clCreateBuffer} calls that succeeded). */
    synchronized long allocations() {
        return allocations;
    }

    private DeviceBuffer allocate(long bytes) {
        int[] err = new int[1];
        cl_mem mem = create(bytes, err);
        if (isOutOfMemory(err[0]) && idleBytes > 0) {
            freeIdle();
            mem = create(bytes, err);
        }
        if (err[0] != CL.CL_SUCCESS) {
            throw OpenClException.withDetail("clCreateBuffer", err[0], bytes + " bytes requested; the device allows "
                    + context.device().maxAllocBytes() + " per buffer");
        }
        allocations++;
        return new DeviceBuffer(mem, bytes);
    }

    /** clCreateBuffer; a buffer it created before a test injected a fault in its place is released at once. */
    private cl_mem create(long bytes, int[] err) {
        cl_mem mem = CL.clCreateBuffer(context.context(), CL.CL_MEM_READ_WRITE, bytes, null, err);
        int status = ClErrors.status("clCreateBuffer", err[0]);
        if (status != err[0]) {
            CL.clReleaseMemObject(mem);
            err[0] = status;
        }
        return mem;
    }

    private static boolean isOutOfMemory(int code) {
        return code == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL.CL_OUT_OF_RESOURCES
                || code == CL.CL_OUT_OF_HOST_MEMORY;
    }

    private void freeIdle() {
        idleBySize.values().forEach(q -> q.forEach(b -> CL.clReleaseMemObject(b.mem())));
        idleBySize.clear();
        idleBytes = 0;
    }

    /** Frees every buffer, idle or still handed out (the backend is closing; no command uses them any more). */
    @Override
    public synchronized void close() {
        freeIdle();
        inUse.forEach(b -> CL.clReleaseMemObject(b.mem()));
        inUse.clear();
    }
}

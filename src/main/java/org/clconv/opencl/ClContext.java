package org.clconv.opencl;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;

/**
 * The OpenCL context and the one in-order command queue (profiling enabled) of a backend's device. In-order
 * execution is what lets a buffer go back to the pool as soon as its last command is enqueued: anything that
 * reuses it is enqueued, and therefore runs, later.
 */
final class ClContext implements AutoCloseable {
    private final DeviceInfo device;
    private final cl_context context;
    private final cl_command_queue queue;

    ClContext(DeviceInfo device) {
        this.device = device;
        int[] err = new int[1];
        cl_device_id[] devices = {device.device()};
        this.context = ClErrors.checked("clCreateContext",
                CL.clCreateContext(null, 1, devices, null, null, err), err);
        try {
            this.queue = createQueue(context, device.device());
        } catch (OpenClException e) {
            CL.clReleaseContext(context);
            throw e;
        }
    }

    // clCreateCommandQueue is deprecated since OpenCL 2.0 but is the one call every 1.2 and later driver has.
    @SuppressWarnings("deprecation")
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        int[] err = new int[1];
        return ClErrors.checked("clCreateCommandQueue",
                CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, err), err);
    }

    DeviceInfo device() {
        return device;
    }

    cl_context context() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    /** Waits until every enqueued command has finished. */
    void finish() {
        ClErrors.check("clFinish", CL.clFinish(queue));
    }

    @Override
    public void close() {
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}

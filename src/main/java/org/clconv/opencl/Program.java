package org.clconv.opencl;

import java.util.concurrent.ConcurrentLinkedDeque;
import org.jocl.CL;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * A built program and a pool of kernel objects for its entry point. A {@code cl_kernel} must not have its
 * arguments set by two threads at once, so each call borrows one for the time between setting the arguments
 * and enqueueing (which captures them) and then returns it; the pool grows to the number of concurrent callers.
 */
final class Program implements AutoCloseable {
    private final cl_program program;
    private final String entryPoint;
    private final ConcurrentLinkedDeque<cl_kernel> idle = new ConcurrentLinkedDeque<>();

    Program(cl_program program, String entryPoint) {
        this.program = program;
        this.entryPoint = entryPoint;
    }

    cl_kernel borrowKernel() {
        cl_kernel kernel = idle.pollFirst();
        if (kernel != null) {
            return kernel;
        }
        int[] err = new int[1];
        return ClErrors.checked("clCreateKernel", CL.clCreateKernel(program, entryPoint, err), err);
    }

    void returnKernel(cl_kernel kernel) {
        idle.offerFirst(kernel);
    }

    /** Releases the pooled kernels, then the program. Callers guarantee no kernel is borrowed any more. */
    @Override
    public void close() {
        for (cl_kernel k = idle.pollFirst(); k != null; k = idle.pollFirst()) {
            CL.clReleaseKernel(k);
        }
        CL.clReleaseProgram(program);
    }
}

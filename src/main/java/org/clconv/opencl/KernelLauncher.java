package org.clconv.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/** Enqueues a {@link KernelPlan}: fetches its program, sets the arguments on a borrowed kernel, enqueues. */
final class KernelLauncher {
    private final ClContext context;
    private final ProgramCache programs;

    KernelLauncher(ClContext context, ProgramCache programs) {
        this.context = context;
        this.programs = programs;
    }

    /**
     * Enqueues the plan on the in-order queue without waiting. {@code bias} may be {@code null} (the kernel
     * does not read it then; the weight buffer stands in, since not every driver accepts a null buffer).
     * {@code event}, if not {@code null}, receives the command's event for profiling.
     */
    void launch(KernelPlan plan, cl_mem input, cl_mem weight, cl_mem bias, cl_mem output, cl_event event) {
        Program program = programs.get(plan.family().source(), plan.options());
        cl_kernel kernel = program.borrowKernel();
        try {
            cl_mem[] buffers = {input, weight, bias != null ? bias : weight, output};
            int index = 0;
            for (cl_mem buffer : buffers) {
                ClErrors.check("clSetKernelArg", CL.clSetKernelArg(kernel, index++, Sizeof.cl_mem, Pointer.to(buffer)));
            }
            for (int size : plan.sizeArgs()) {
                ClErrors.check("clSetKernelArg",
                        CL.clSetKernelArg(kernel, index++, Sizeof.cl_int, Pointer.to(new int[] {size})));
            }
            long[] global = plan.globalSize();
            ClErrors.check("clEnqueueNDRangeKernel", CL.clEnqueueNDRangeKernel(context.queue(), kernel, global.length,
                    null, global, plan.localSize(), 0, null, event));
        } finally {
            // Enqueueing captured the arguments, so the kernel object is free for the next caller.
            program.returnKernel(kernel);
        }
    }
}

package org.clconv.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each (source, options) program once for the context's device and keeps it for the life of the
 * backend, shared by all threads. A failed build is not cached: it throws a {@link ProgramBuildException}
 * carrying the compiler's log every time it is asked for.
 */
final class ProgramCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgramCache.class);

    private record Key(String sourceText, String options) {
    }

    private final ClContext context;
    private final Map<Key, Program> programs = new ConcurrentHashMap<>();
    private final AtomicInteger builds = new AtomicInteger();

    ProgramCache(ClContext context) {
        this.context = context;
    }

    /** The program of {@code source} built with {@code options}, building it on first use. */
    Program get(KernelSource source, String options) {
        // computeIfAbsent builds at most once per key even when many threads ask at the same time.
        return programs.computeIfAbsent(new Key(source.text(), options), key -> build(source, options));
    }

    /** How many times {@code clBuildProgram} ran, failed builds included. */
    int builds() {
        return builds.get();
    }

    private Program build(KernelSource source, String options) {
        long start = System.nanoTime();
        int[] err = new int[1];
        cl_program program = ClErrors.checked("clCreateProgramWithSource",
                CL.clCreateProgramWithSource(context.context(), 1, new String[] {source.text()}, null, err), err);
        cl_device_id device = context.device().device();
        builds.incrementAndGet();
        int rc = ClErrors.status("clBuildProgram",
                CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null));
        if (rc != CL.CL_SUCCESS) {
            String log = rc == CL.CL_BUILD_PROGRAM_FAILURE ? safeBuildLog(program, device)
                    : "(no log: " + ClErrors.name(rc) + ")";
            CL.clReleaseProgram(program);
            throw new ProgramBuildException(source.name(), rc, options, log);
        }
        LOG.debug("built {} [{}] in {} ms", source.name(), options, (System.nanoTime() - start) / 1_000_000);
        return new Program(program, source.entryPoint());
    }

    private static String safeBuildLog(cl_program program, cl_device_id device) {
        try {
            return ClInfo.buildLog(program, device);
        } catch (OpenClException e) {
            return "(build log unavailable: " + e.getMessage() + ")";
        }
    }

    /** Releases every program (and its pooled kernels). */
    @Override
    public void close() {
        List<Program> all = new ArrayList<>(programs.values());
        programs.clear();
        all.forEach(Program::close);
    }
}

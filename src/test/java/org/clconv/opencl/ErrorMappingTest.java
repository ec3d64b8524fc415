package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;

/** Every OpenCL failure names the call and the error; a failed call leaves the backend usable. */
class ErrorMappingTest {
    @Test
    void codesHaveTheirNames() {
        assertEquals("CL_SUCCESS", ClErrors.name(0));
        assertEquals("CL_OUT_OF_RESOURCES", ClErrors.name(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClErrors.name(-11));
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", ClErrors.name(-54));
        assertEquals("CL_INVALID_BUFFER_SIZE", ClErrors.name(-61));
        assertEquals("CL_MAX_SIZE_RESTRICTION_EXCEEDED", ClErrors.name(-72));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClErrors.name(-1001));
        assertEquals("CL_UNKNOWN_ERROR(-9999)", ClErrors.name(-9999));
    }

    @Test
    void aFailedCallNamesTheCallAndTheError() {
        OpenClException e = assertThrows(OpenClException.class, () -> ClErrors.check("clEnqueueNDRangeKernel", -5));
        assertEquals("clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES", e.getMessage());
        assertEquals("clEnqueueNDRangeKernel", e.call());
        assertEquals(-5, e.errorCode());
        ClErrors.check("clFinish", 0);
    }

    @Test
    void anOversizedBufferFailsByNameAndTheBackendCarriesOn() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            long tooLarge = backend.device().maxAllocBytes() + 1;
            OpenClException e = assertThrows(OpenClException.class, () -> backend.bufferPool().acquire(tooLarge));
            assertTrue(e.getMessage().startsWith("clCreateBuffer: CL_"), e.getMessage());
            assertEquals("clCreateBuffer", e.call());
            assertTrue(e.getMessage().contains(tooLarge + " bytes"), e.getMessage());
            assertEquals(0, backend.liveBuffers());
            assertBackendWorks(backend);
        }
    }

    @Test
    void aKernelThatFailsToBuildCarriesTheCompilerLog() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            KernelSource broken = new KernelSource("broken.cl",
                    "__kernel void broken(global float* x) { x[0] = no_such_variable; }", "broken");
            ProgramBuildException e = assertThrows(ProgramBuildException.class,
                    () -> backend.program(broken, "-DWHY=1"));
            assertEquals("CL_BUILD_PROGRAM_FAILURE", e.errorName());
            assertEquals("-DWHY=1", e.options());
            assertTrue(e.buildLog().contains("no_such_variable"), e.buildLog());
            assertTrue(e.getMessage().contains("no_such_variable") && e.getMessage().contains("broken.cl"),
                    e.getMessage());
            assertEquals(1, backend.programBuilds());
            assertBackendWorks(backend);
        }
    }

    private static void assertBackendWorks(OpenClBackend backend) {
        ConvLayer conv = layer(Conv2d.builder(2, 3, 3).build(), 7);
        Tensor input = random(Shape.of(1, 2, 9, 9), 8);
        OpenClTesting.assertClose(reference(conv, input), backend.conv2d(conv, input), "conv after a failure");
    }
}

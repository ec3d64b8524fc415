package org.clconv.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.clconv.Shape;
import org.junit.jupiter.api.Test;

/** The device's ceilings are measured on data that exists, and come out as usable figures. */
class DeviceCeilingsTest {

    @Test
    void theCopySourceIsWrittenBeforeItIsTimed() {
        OpenClBackend backend = OpenClTesting.shared();
        int floats = 1 << 16;
        try (DeviceTensor buffer = backend.allocate(Shape.of(floats))) {
            DeviceCeilings.fill(backend, buffer.mem(backend), (long) floats * Float.BYTES);
            float[] expected = new float[floats];
            Arrays.fill(expected, 1.0f);
            assertArrayEquals(expected, backend.download(buffer).data());
        }
    }

    @Test
    void measuresPositiveCeilingsAndSaysHow() {
        DeviceCeilings ceilings = DeviceCeilings.measure(OpenClTesting.shared());
        assertTrue(ceilings.bytesPerSecond() > 0 && Double.isFinite(ceilings.bytesPerSecond()),
                "copy " + ceilings.bytesPerSecond());
        assertTrue(ceilings.flopsPerSecond() > 0 && Double.isFinite(ceilings.flopsPerSecond()),
                "fma " + ceilings.flopsPerSecond());
        assertTrue(ceilings.bandwidthMethod().contains("MiB"), ceilings.bandwidthMethod());
        assertTrue(ceilings.fmaMethod().contains("chains"), ceilings.fmaMethod());
    }
}

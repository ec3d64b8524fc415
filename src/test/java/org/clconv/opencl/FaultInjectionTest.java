package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clconv.Activation;
import org.clconv.Backends;
import org.clconv.Conv2d;
import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.cli.Main;
import org.clconv.cpu.CpuBackend;
import org.clconv.io.Npy;
import org.jocl.CL;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * OpenCL failures injected where real drivers fail ({@link InjectedFault}): at every step of a device chain, in
 * weight uploads, in a program build, in buffer creation, and when the backend starts. Each must surface as an
 * {@link OpenClException} naming the call and the error, give back every buffer the failed call took, and
 * leave the backend computing the same results as before.
 */
class FaultInjectionTest {
    private static final ConvLayer CONV = layer(Conv2d.builder(3, 6, 3).stride(2).padding(Padding.of(1))
            .activation(Activation.RELU).build(), 51);
    private static final ConvLayer DEPTHWISE = layer(Conv2d.depthwise(6, 1, 3, 3).padding(Padding.same())
            .paddingMode(PaddingMode.REFLECT).build(), 52);
    private static final SeparableBlock BLOCK = new SeparableBlock(layer(Conv2d.depthwise(6, 2, 3, 3)
            .padding(Padding.of(1)).build(), 53), layer(Conv2d.pointwise(12, 4).activation(Activation.RELU6).build(), 54));
    private static final Tensor INPUT = random(Shape.of(2, 3, 13, 11), 55);

    /** Upload, two convs and a separable block on the device, download; every intermediate closed. */
    private static Tensor deviceChain(OpenClBackend backend) {
        try (DeviceTensor x = backend.upload(INPUT);
             DeviceTensor a = backend.conv2d(CONV, x);
             DeviceTensor b = backend.conv2d(DEPTHWISE, a);
             DeviceTensor c = backend.separable(BLOCK, b)) {
            return backend.download(c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"clEnqueueWriteBuffer", "clSetKernelArg", "clEnqueueNDRangeKernel", "clEnqueueReadBuffer"})
    void aCallFailingAtAnyStepOfAChainReleasesItsBuffersAndTheBackendCarriesOn(String call) {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            Tensor expected = deviceChain(backend);
            int baseline = backend.liveBuffers();
            for (int n = 1; ; n++) {
                try (InjectedFault fault = InjectedFault.nth(call, n, CL.CL_OUT_OF_RESOURCES)) {
                    Tensor result;
                    try {
                        result = deviceChain(backend);
                    } catch (OpenClException e) {
                        assertEquals(1, fault.fired());
                        assertEquals(call + ": CL_OUT_OF_RESOURCES", e.getMessage());
                        assertEquals(baseline, backend.liveBuffers(),
                                "buffers left behind by failing " + call + " #" + n);
                        continue;
                    }
                    assertEquals(0, fault.fired(), "a fault fired but the chain did not fail");
                    assertArrayEquals(expected.data(), result.data(), "the chain after failures of " + call);
                    assertTrue(n > 1, call + " is never called by the chain");
                    break;
                }
            }
            assertEquals(baseline, backend.liveBuffers());
        }
    }

    @Test
    void aFailedWeightUploadCachesNothingAndReleasesItsBuffers() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            Conv2d spec = Conv2d.builder(3, 5, 2).build();
            for (int n = 1; ; n++) {
                // a new layer object every time, so its weight and bias are uploaded inside the call
                ConvLayer fresh = layer(spec, 60);
                int before = backend.liveBuffers();
                try (InjectedFault fault = InjectedFault.nth("clEnqueueWriteBuffer", n,
                        CL.CL_MEM_OBJECT_ALLOCATION_FAILURE)) {
                    Tensor y;
                    try {
                        y = backend.conv2d(fresh, INPUT);
                    } catch (OpenClException e) {
                        assertEquals("CL_MEM_OBJECT_ALLOCATION_FAILURE", e.errorName());
                        assertEquals(before, backend.liveBuffers(), "after write #" + n + " failed");
                        continue;
                    }
                    OpenClTesting.assertClose(reference(fresh, INPUT), y, "conv after failed uploads");
                    assertEquals(4, n, "input, weight and bias uploads should have failed in turn");
                    assertEquals(before + 2, backend.liveBuffers(), "the weight and bias are cached once it worked");
                    break;
                }
            }
        }
    }

    @Test
    void aProgramThatFailsToBuildIsReportedNotCachedAndBuiltAgainNextTime() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            // defines no other test uses, so this call has to build its program
            ConvLayer rare = layer(Conv2d.depthwise(2, 3, 5, 2).stride(2, 1).dilation(1, 3).padding(Padding.of(2, 1))
                    .paddingMode(PaddingMode.REPLICATE).activation(Activation.RELU6).bias(false).build(), 61);
            Tensor input = random(Shape.of(1, 2, 12, 9), 62);
            int builds = backend.programBuilds();
            int before = backend.liveBuffers();
            try (InjectedFault fault = InjectedFault.nth("clBuildProgram", 1, CL.CL_BUILD_PROGRAM_FAILURE)) {
                ProgramBuildException e = assertThrows(ProgramBuildException.class, () -> backend.conv2d(rare, input));
                assertTrue(e.getMessage()
                        .startsWith("clBuildProgram: CL_BUILD_PROGRAM_FAILURE for common.h+depthwise.cl"),
                        e.getMessage());
                assertTrue(e.options().contains("-DKERNEL_H=5 -DKERNEL_W=2"), e.options());
                assertEquals(1, fault.fired());
            }
            assertEquals(builds + 1, backend.programBuilds());
            // the weights were uploaded before the build failed; they stay cached for the layer, nothing else stays
            assertEquals(before + 1, backend.liveBuffers());
            OpenClTesting.assertClose(reference(rare, input), backend.conv2d(rare, input), "conv after a failed build");
            assertEquals(builds + 2, backend.programBuilds(), "the failed build was not cached");
        }
    }

    @Test
    void anAllocationFailureFreesIdleBuffersAndRetriesOnce() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            backend.allocate(Shape.of(64, 64)).close();
            assertEquals(1, backend.bufferPool().idleBuffers());
            try (InjectedFault fault = InjectedFault.nth("clCreateBuffer", 1, CL.CL_MEM_OBJECT_ALLOCATION_FAILURE);
                 DeviceTensor t = backend.allocate(Shape.of(32, 32))) {
                assertEquals(1, fault.fired());
                assertEquals(0, backend.bufferPool().idleBuffers(), "idle buffers are freed to make room");
                assertEquals(1, backend.liveBuffers());
            }
            try (InjectedFault fault = InjectedFault.calls("clCreateBuffer", 1, 2, CL.CL_MEM_OBJECT_ALLOCATION_FAILURE)) {
                OpenClException e = assertThrows(OpenClException.class, () -> backend.allocate(Shape.of(16, 16)));
                assertTrue(e.getMessage().startsWith("clCreateBuffer: CL_MEM_OBJECT_ALLOCATION_FAILURE (1024 bytes"),
                        e.getMessage());
                assertEquals(2, fault.fired(), "one retry after freeing the idle buffers");
            }
            assertEquals(0, backend.liveBuffers());
        }
    }

    /** A real device limit, no injection: an output larger than one device buffer may be. */
    @Test
    void anOutputLargerThanTheDeviceAllowsFailsAndReleasesTheInput() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            // 16384 output channels of 256 x 256: 4 GiB of output from a 256 KiB input
            ConvLayer wide = layer(Conv2d.pointwise(1, 16_384).bias(false).build(), 63);
            long outputBytes = 4L * 16_384 * 256 * 256;
            Assumptions.assumeTrue(outputBytes > backend.device().maxAllocBytes(),
                    "the device allows buffers of " + backend.device().maxAllocBytes() + " bytes");
            int before = backend.liveBuffers();
            OpenClException e = assertThrows(OpenClException.class,
                    () -> backend.conv2d(wide, random(Shape.of(1, 1, 256, 256), 64)));
            assertEquals("clCreateBuffer", e.call());
            assertTrue(e.getMessage().contains(outputBytes + " bytes requested"), e.getMessage());
            assertEquals(before, backend.liveBuffers());
            OpenClTesting.assertClose(reference(CONV, INPUT), backend.conv2d(CONV, INPUT), "conv after the failure");
        }
    }

    @Test
    void autoFallsBackToTheCpuWhenOpenClCannotStartAndLogsWhy() {
        OpenClTesting.shared();
        Logger log = (Logger) LoggerFactory.getLogger(Backends.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Level level = log.getLevel();
        log.setLevel(Level.INFO);
        log.setAdditive(false);
        log.addAppender(events);
        // Injected after the queue was really created, which leaks that one queue: acceptable in a test.
        try (InjectedFault fault = InjectedFault.calls("clCreateCommandQueue", 1, 2, CL.CL_OUT_OF_HOST_MEMORY);
             ConvBackend auto = Backends.create("auto")) {
            assertInstanceOf(CpuBackend.class, auto);
            List<String> messages = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("backend auto: chose cpu because OpenCL device")
                    && m.contains("clCreateCommandQueue: CL_OUT_OF_HOST_MEMORY")), messages.toString());
            OpenClException explicit = assertThrows(OpenClException.class, () -> Backends.create("opencl"));
            assertEquals("clCreateCommandQueue: CL_OUT_OF_HOST_MEMORY", explicit.getMessage(),
                    "asked for by name, OpenCL does not fall back");
            assertEquals(2, fault.fired());
        } finally {
            log.detachAppender(events);
            log.setAdditive(true);
            log.setLevel(level);
        }
    }

    @Test
    void onceRunningAutoReportsAFailingCallInsteadOfRecomputingOnTheCpu() {
        OpenClTesting.shared();
        try (ConvBackend auto = Backends.create("auto")) {
            assertInstanceOf(OpenClBackend.class, auto);
            Tensor expected = auto.conv2d(CONV, INPUT);
            try (InjectedFault fault = InjectedFault.nth("clEnqueueNDRangeKernel", 1, CL.CL_OUT_OF_RESOURCES)) {
                OpenClException e = assertThrows(OpenClException.class, () -> auto.conv2d(CONV, INPUT));
                assertEquals("clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES", e.getMessage());
            }
            assertArrayEquals(expected.data(), auto.conv2d(CONV, INPUT).data());
        }
    }

    @Test
    void theCliReportsADeviceFailureAsOneLineAndLeavesTheOutput(@TempDir Path dir) throws Exception {
        OpenClTesting.shared();
        Npy.write(dir.resolve("x.npy"), INPUT);
        Npy.write(dir.resolve("w.npy"), CONV.weight());
        Npy.write(dir.resolve("b.npy"), CONV.bias());
        byte[] old = "previous result".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("y.npy"), old);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (InjectedFault fault = InjectedFault.nth("clEnqueueReadBuffer", 1, CL.CL_OUT_OF_RESOURCES)) {
            exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "conv", "--backend", "auto",
                    "--input", dir.resolve("x.npy").toString(), "--weight", dir.resolve("w.npy").toString(),
                    "--bias", dir.resolve("b.npy").toString(), "--stride", "2", "--padding", "1",
                    "--activation", "relu", "--output", dir.resolve("y.npy").toString());
            assertEquals(1, fault.fired());
        }
        assertEquals(1, exit, err.toString());
        assertEquals("clconv: error: clEnqueueReadBuffer: CL_OUT_OF_RESOURCES", err.toString().strip());
        assertEquals("", out.toString());
        assertArrayEquals(old, Files.readAllBytes(dir.resolve("y.npy")));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")));
        }
    }
}

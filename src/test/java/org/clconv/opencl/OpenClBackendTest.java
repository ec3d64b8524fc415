package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.assertClose;
import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.InvalidConvolutionException;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;

/** The OpenCL backend's own contract: device-resident chains, caching, pooling, threads, lifecycle. */
class OpenClBackendTest {
    /** One layer of each kernel family, with bias, activations and non-zero padding modes. */
    private static final List<ConvLayer> MIXED = List.of(
            layer(Conv2d.builder(3, 8, 3).stride(2, 2).padding(Padding.of(1)).activation(Activation.RELU).build(), 1),
            layer(Conv2d.depthwise(8, 1, 3, 3).padding(Padding.same()).paddingMode(PaddingMode.REFLECT)
                    .activation(Activation.RELU6).build(), 2),
            layer(Conv2d.pointwise(8, 6).groups(2).build(), 3));

    @Test
    void chainOfThreeConvsRunsOnTheDeviceAndMatchesTheReference() {
        OpenClBackend backend = OpenClTesting.shared();
        Tensor input = random(Shape.of(2, 3, 17, 23), 10);
        Tensor expected = input;
        for (ConvLayer l : MIXED) {
            expected = reference(l, expected);
        }
        try (DeviceTensor x = backend.upload(input);
             DeviceTensor a = backend.conv2d(MIXED.get(0), x);
             DeviceTensor b = backend.conv2d(MIXED.get(1), a);
             DeviceTensor c = backend.conv2d(MIXED.get(2), b)) {
            assertEquals(expected.shape(), c.shape());
            assertClose(expected, backend.download(c), "three-layer device chain");
        }
    }

    @Test
    void separableKeepsTheIntermediateOnTheDevice() {
        OpenClBackend backend = OpenClTesting.shared();
        SeparableBlock block = new SeparableBlock(
                layer(Conv2d.depthwise(4, 2, 5, 5).dilation(2, 1).padding(Padding.same())
                        .paddingMode(PaddingMode.CIRCULAR).activation(Activation.RELU).build(), 4),
                layer(Conv2d.pointwise(8, 5).activation(Activation.RELU6).build(), 5));
        Tensor input = random(Shape.of(1, 4, 19, 13), 11);
        Tensor expected = reference(block.pointwise(), reference(block.depthwise(), input));
        assertClose(expected, backend.separable(block, input), "separable block");
    }

    @Test
    void repeatedCallsBuildNoProgramAndAllocateNoBuffer() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            Tensor input = random(Shape.of(1, 3, 20, 20), 12);
            Tensor first = runChain(backend, input);
            int builds = backend.programBuilds();
            long allocations = backend.bufferAllocations();
            assertEquals(MIXED.size(), builds, "one program per kernel family and defines");
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(first.data(), runChain(backend, input).data());
            }
            assertEquals(allocations, backend.bufferAllocations(), "steady-state calls reuse pooled buffers");
            // A new layer object with the same spec needs new weights on the device, but no new program.
            backend.conv2d(layer(MIXED.get(0).spec(), 99), input);
            assertEquals(builds, backend.programBuilds(), "programs are built once per (source, options)");
        }
    }

    @Test
    void liveBuffersReturnToZeroWhenTensorsAndBackendClose() {
        OpenClBackend backend = OpenClTesting.fresh();
        ConvLayer conv = MIXED.get(0);
        backend.conv2d(conv, random(Shape.of(1, 3, 8, 8), 13));
        int weightBuffers = backend.liveBuffers();
        assertEquals(2, weightBuffers, "only the cached weight and bias stay live after a host call");
        DeviceTensor in = backend.upload(random(Shape.of(1, 3, 8, 8), 14));
        DeviceTensor out = backend.conv2d(conv, in);
        DeviceTensor spare = backend.allocate(Shape.of(4, 4));
        assertEquals(weightBuffers + 3, backend.liveBuffers());
        in.close();
        out.close();
        out.close();
        assertEquals(weightBuffers + 1, backend.liveBuffers(), "closing twice returns a buffer once");
        backend.close();
        assertEquals(0, backend.liveBuffers(), "closing the backend frees everything, open tensors included");
        spare.close();
        assertEquals(0, backend.liveBuffers());
    }

    @Test
    void closedTensorsAndBackendsFailClearly() {
        OpenClBackend backend = OpenClTesting.fresh();
        DeviceTensor t = backend.upload(random(Shape.of(1, 3, 6, 6), 15));
        t.close();
        assertTrue(t.isClosed());
        IllegalStateException closedTensor = assertThrows(IllegalStateException.class,
                () -> backend.conv2d(MIXED.get(0), t));
        assertTrue(closedTensor.getMessage().contains("closed"), closedTensor.getMessage());
        assertThrows(IllegalStateException.class, () -> backend.download(t));
        DeviceTensor open = backend.upload(random(Shape.of(1, 3, 6, 6), 16));
        backend.close();
        backend.close();
        IllegalStateException closedBackend = assertThrows(IllegalStateException.class,
                () -> backend.conv2d(MIXED.get(0), random(Shape.of(1, 3, 6, 6), 17)));
        assertTrue(closedBackend.getMessage().contains("closed"), closedBackend.getMessage());
        assertThrows(IllegalStateException.class, () -> backend.download(open));
        open.close();
    }

    @Test
    void badInputFailsBeforeTouchingTheDevice() {
        OpenClBackend backend = OpenClTesting.shared();
        ConvLayer conv = MIXED.get(0);
        assertThrows(InvalidConvolutionException.class, () -> backend.conv2d(conv, random(Shape.of(1, 4, 8, 8), 18)));
        try (DeviceTensor in = backend.upload(random(Shape.of(1, 3, 8, 8), 19));
             DeviceTensor wrongShape = backend.allocate(Shape.of(1, 8, 8, 8))) {
            InvalidConvolutionException e = assertThrows(InvalidConvolutionException.class,
                    () -> backend.conv2d(conv, in, wrongShape));
            assertTrue(e.getMessage().contains("[1, 8, 4, 4]"), e.getMessage());
        }
        try (OpenClBackend other = OpenClTesting.fresh(); DeviceTensor foreign = other.upload(
                random(Shape.of(1, 3, 8, 8), 20))) {
            assertThrows(IllegalArgumentException.class, () -> backend.conv2d(conv, foreign));
        }
    }

    @Test
    void timedCallWritesTheGivenOutputAndReportsDeviceTime() {
        OpenClBackend backend = OpenClTesting.shared();
        ConvLayer conv = MIXED.get(1);
        Tensor input = random(Shape.of(1, 8, 12, 12), 21);
        try (DeviceTensor in = backend.upload(input); DeviceTensor out = backend.allocate(Shape.of(1, 8, 12, 12))) {
            long nanos = backend.conv2d(conv, in, out);
            assertTrue(nanos > 0, "device time " + nanos);
            assertClose(reference(conv, input), backend.download(out), "timed depthwise call");
        }
    }

    @Test
    void eightThreadsAtOnceGetTheSingleThreadedResults() throws Exception {
        OpenClBackend backend = OpenClTesting.shared();
        List<Tensor> inputs = new ArrayList<>();
        List<Tensor> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Tensor input = random(Shape.of(1 + i % 2, 3, 15 + i, 21 - i), 30 + i);
            inputs.add(input);
            expected.add(runChain(backend, input));
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Tensor>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Tensor> mine = new ArrayList<>();
                    for (int i = 0; i < inputs.size(); i++) {
                        mine.add(runChain(backend, inputs.get((i + offset) % inputs.size())));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (int t = 0; t < threads; t++) {
                List<Tensor> mine = results.get(t).get(5, TimeUnit.MINUTES);
                for (int i = 0; i < inputs.size(); i++) {
                    Tensor want = expected.get((i + t) % inputs.size());
                    assertArrayEquals(want.data(), mine.get(i).data(), "thread " + t + ", input " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeWaitsForCallsInFlightAndLaterCallsFailCleanly() throws Exception {
        OpenClBackend backend = OpenClTesting.fresh();
        Tensor input = random(Shape.of(1, 3, 16, 16), 40);
        Tensor expected = runChain(backend, input);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(pool.submit(() -> {
                    int completed = 0;
                    while (true) {
                        Tensor out;
                        try {
                            out = runChain(backend, input);
                        } catch (IllegalStateException closed) {
                            return completed;
                        }
                        assertArrayEquals(expected.data(), out.data());
                        completed++;
                    }
                }));
            }
            Thread.sleep(200);
            backend.close();
            for (Future<Integer> w : workers) {
                w.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, backend.liveBuffers());
    }

    private static Tensor runChain(OpenClBackend backend, Tensor input) {
        Tensor x = input;
        for (ConvLayer l : MIXED) {
            x = backend.conv2d(l, x);
        }
        return x;
    }
}

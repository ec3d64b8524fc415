package org.clconv.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.opencl.DeviceTensor;
import org.clconv.opencl.OpenClBackend;

/**
 * The soak's and the concurrency test's work: small convolutions of mixed shapes (standard, grouped, strided,
 * dilated, depthwise with multipliers, pointwise, a separable block), whose results from many threads at once
 * must be bit-identical to one thread's, and a chain of layers kept on the device between its ends.
 *
 * <p>The shapes differ but share few OpenCL programs (the GEMM families take the geometry as arguments, and
 * the depthwise jobs share kernel, stride, dilation, padding mode and epilogue), so a fresh backend builds
 * three programs, not one per shape.
 */
final class SoakWorkload {
    /** One call: a layer (or a separable block) on an input. */
    record Job(String name, ConvLayer layer, SeparableBlock block, Tensor input) {
        Tensor run(ConvBackend backend) {
            return block != null ? backend.separable(block, input) : backend.conv2d(layer, input);
        }
    }

    private final Random random;
    private final List<Job> jobs = new ArrayList<>();
    private final List<ConvLayer> chain = new ArrayList<>();
    private final Tensor chainInput;

    SoakWorkload(long seed) {
        random = new Random(seed);
        conv("conv 3x3", Conv2d.builder(3, 8, 3).padding(1), Shape.of(1, 3, 17, 19));
        conv("grouped 5x3 stride 2", Conv2d.builder(4, 6, 5, 3).stride(2).padding(2, 1).groups(2), Shape.of(2, 4, 15, 12));
        conv("dilated 1x7", Conv2d.builder(2, 5, 1, 7).dilation(1, 2).padding(0, 6), Shape.of(1, 2, 9, 23));
        conv("pointwise", Conv2d.pointwise(8, 16), Shape.of(1, 8, 10, 10));
        conv("grouped pointwise", Conv2d.pointwise(16, 4).groups(2), Shape.of(2, 16, 7, 9));
        conv("depthwise", depthwise(8, 1), Shape.of(1, 8, 20, 20));
        conv("depthwise x3", depthwise(4, 3), Shape.of(1, 4, 11, 13));
        jobs.add(new Job("separable", null, new SeparableBlock(layer(depthwise(4, 2)), layer(Conv2d.pointwise(8, 6))),
                tensor(Shape.of(1, 4, 16, 16))));
        chain.add(layer(Conv2d.builder(3, 8, 3).padding(1)));
        chain.add(layer(depthwise(8, 1)));
        chain.add(layer(Conv2d.pointwise(8, 16)));
        chain.add(layer(Conv2d.builder(16, 4, 3).stride(2).padding(1)));
        chainInput = tensor(Shape.of(1, 3, 24, 24));
    }

    List<Job> jobs() {
        return jobs;
    }

    /** Every job once, on the calling thread: what the concurrent runs must reproduce bit for bit. */
    List<Tensor> expected(ConvBackend backend) {
        return jobs.stream().map(j -> j.run(backend)).toList();
    }

    /** Outcome of a concurrent run: calls made and, if any result differed, how many and the first one. */
    record Mismatches(long calls, long count, String first) {
    }

    /**
     * {@code calls} jobs, round-robin, on {@code threads} threads sharing {@code backend}, each result compared
     * bit for bit with {@code expected}. An exception in any call is rethrown.
     */
    Mismatches runConcurrently(ConvBackend backend, List<Tensor> expected, int threads, long calls)
            throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong differing = new AtomicLong();
        String[] first = new String[1];
        forkJoin(threads, () -> {
            for (long i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                int j = (int) (i % jobs.size());
                if (!Arrays.equals(expected.get(j).data(), jobs.get(j).run(backend).data())
                        && differing.getAndIncrement() == 0) {
                    first[0] = "call " + i + " (" + jobs.get(j).name() + ") on " + Thread.currentThread().getName();
                }
            }
        });
        return new Mismatches(calls, differing.get(), first[0]);
    }

    /**
     * {@code count} runs of the chain on {@code threads} threads, each compared with {@code expected}: on an
     * OpenCL backend with every intermediate kept on the device (and closed), elsewhere through host tensors.
     */
    Mismatches runChains(ConvBackend backend, Tensor expected, int threads, long count) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong differing = new AtomicLong();
        forkJoin(threads, () -> {
            while (next.getAndIncrement() < count) {
                if (!Arrays.equals(expected.data(), chain(backend).data())) {
                    differing.incrementAndGet();
                }
            }
        });
        return new Mismatches(count, differing.get(), differing.get() == 0 ? null : "a device chain");
    }

    /** One run of the chain: the result downloaded, nothing left open on the device. */
    Tensor chain(ConvBackend backend) {
        if (backend instanceof OpenClBackend device) {
            DeviceTensor x = device.upload(chainInput);
            for (ConvLayer layer : chain) {
                try (DeviceTensor in = x) {
                    x = device.conv2d(layer, in);
                }
            }
            try (DeviceTensor result = x) {
                return device.download(result);
            }
        }
        Tensor x = chainInput;
        for (ConvLayer layer : chain) {
            x = backend.conv2d(layer, x);
        }
        return x;
    }

    /** Runs {@code body} on {@code threads} threads and waits for all; the first failure is rethrown. */
    private static void forkJoin(int threads, Runnable body) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(body));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Conv2d.Builder depthwise(int channels, int multiplier) {
        return Conv2d.depthwise(channels, multiplier, 3, 3).padding(Padding.same());
    }

    private void conv(String name, Conv2d.Builder spec, Shape input) {
        jobs.add(new Job(name + " " + input, layer(spec), null, tensor(input)));
    }

    /** Every layer with bias, relu and zero padding: one program per kernel family. */
    private ConvLayer layer(Conv2d.Builder builder) {
        Conv2d spec = builder.bias(true).activation(Activation.RELU).paddingMode(PaddingMode.ZEROS).build();
        float scale = (float) (1 / Math.sqrt((double) spec.inChannelsPerGroup() * spec.kernelH() * spec.kernelW()));
        Tensor weight = tensor(spec.weightShape(), scale);
        return new ConvLayer(spec, weight, spec.hasBias() ? tensor(spec.biasShape(), 0.5f) : null);
    }

    private Tensor tensor(Shape shape) {
        return tensor(shape, 1f);
    }

    private Tensor tensor(Shape shape, float scale) {
        float[] data = new float[Tensor.checkedNumel("soak tensor", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian() * scale;
        }
        return new Tensor(shape, data);
    }
}

package org.clconv.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.clconv.BackendException;
import org.clconv.Backends;
import org.clconv.Conv2d;
import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.analysis.ReceptiveField;
import org.clconv.analysis.SeparableCost;
import org.clconv.bench.Sampler;
import org.clconv.bench.TimedCall;
import org.clconv.bench.TimingPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code clconv demo}: the lesson's exercise. A random 3x128x128 input goes through a depthwise-separable
 * block (3x3 depthwise, padding 1, then pointwise to 10 channels) on every backend that can run here; the
 * demo prints the shapes, the cost against a standard 3x3 conv, the receptive field and the time per backend.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The lesson's exercise: a depthwise-separable conv on a random 3x128x128 input, on every "
                + "available backend.")
final class DemoCommand implements Callable<Integer> {
    private static final int CHANNELS = 3;
    private static final int SIZE = 128;
    private static final int OUT_CHANNELS = 10;
    private static final int KERNEL = 3;
    /**
     * Timing as in {@code clconv bench}, with its default warm-up: at least this long, and longer while calls still
     * get faster; a few warm-up calls timed the CPU backend's vector kernels before C2 had compiled them.
     */
    private static final Duration WARM_UP = Duration.ofSeconds(1);
    private static final Duration MAX_TIME = Duration.ofSeconds(10);
    private static final List<String> BACKENDS = List.of("cpu", "opencl");

    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random input and weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--runs", defaultValue = "7",
            description = "Timed runs per backend (at least 3) after a warm-up of at least 1 s; the median is "
                    + "shown. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--device", paramLabel = "DEV", description = "OpenCL device: an index or a name substring.")
    String device;

    /** One backend's result: its output and median time, or why it did not run. */
    private record Outcome(String backend, String device, Tensor output, double medianMillis, String notRun) {
    }

    @Override
    public Integer call() {
        if (runs < TimingPolicy.MIN_SAMPLES) {
            throw new ParameterException(spec.commandLine(),
                    "--runs must be at least " + TimingPolicy.MIN_SAMPLES + " (for a median), got " + runs);
        }
        PrintWriter out = spec.commandLine().getOut();
        Random random = new Random(seed);
        Tensor input = randomTensor(random, Shape.of(1, CHANNELS, SIZE, SIZE));
        Conv2d depthwise = Conv2d.depthwise(CHANNELS, 1, KERNEL, KERNEL).padding(1).build();
        Conv2d pointwise = Conv2d.pointwise(CHANNELS, OUT_CHANNELS).build();
        SeparableBlock block = new SeparableBlock(layer(depthwise, random), layer(pointwise, random));

        out.printf("clconv demo: the lesson's exercise, a depthwise-separable conv on a random %dx%dx%d input "
                + "(seed %d)%n", CHANNELS, SIZE, SIZE, seed);
        printShapes(out, block, input.shape());
        printCost(out, depthwise, pointwise);
        printReceptiveField(out, depthwise, pointwise);
        List<Outcome> outcomes = runEachBackend(block, input);
        printTimes(out, outcomes, 2 * SeparableCost.of(depthwise, pointwise, 1, SIZE, SIZE).separableMacs());
        printAgreement(out, outcomes);
        return 0;
    }

    private static void printShapes(PrintWriter out, SeparableBlock block, Shape input) {
        Shape middle = block.depthwise().bind(input).outputShape();
        out.println();
        out.println("shapes");
        out.printf("  input      %s%n", input);
        out.printf("  depthwise  %s%n             -> %s%n", block.depthwise().spec(), middle);
        out.printf("  pointwise  %s%n             -> %s%n", block.pointwise().spec(), block.outputShape(input));
    }

    private static void printCost(PrintWriter out, Conv2d depthwise, Conv2d pointwise) {
        SeparableCost cost = SeparableCost.of(depthwise, pointwise, 1, SIZE, SIZE);
        Conv2d standard = Conv2d.builder(CHANNELS, OUT_CHANNELS, KERNEL).padding(1).build();
        int k2 = depthwise.kernelH() * depthwise.kernelW();
        out.println();
        out.println("cost (FLOPs = 2 x multiply-accumulates; bias not counted)");
        out.printf("  %-40s %,13d FLOPs  %4d parameters%n", String.format("standard %dx%d conv, %d -> %d channels:",
                KERNEL, KERNEL, CHANNELS, OUT_CHANNELS), 2 * cost.standardMacs(), standard.parameterCount());
        out.printf("  %-40s %,13d FLOPs  %4d parameters%n", String.format("depthwise-separable (%dx%d dw + 1x1 pw):",
                KERNEL, KERNEL), 2 * cost.separableMacs(), depthwise.parameterCount() + pointwise.parameterCount());
        out.printf("  separable / standard = %.4f measured; 1/n + 1/k^2 = 1/%d + 1/%d = %.4f%n", cost.measuredRatio(),
                pointwise.outChannels(), k2, cost.predictedRatio());
    }

    private static void printReceptiveField(PrintWriter out, Conv2d depthwise, Conv2d pointwise) {
        Conv2d plain3x3 = Conv2d.builder(1, 1, KERNEL).build();
        Conv2d dilated3x3 = Conv2d.builder(1, 1, KERNEL).dilation(2).build();
        out.println();
        out.println("receptive field (input pixels one output pixel sees)");
        out.printf("  this block: %s (the 1x1 pointwise adds nothing)%n", ReceptiveField.of(depthwise, pointwise));
        out.printf("  two stacked 3x3 convs: %s; one 3x3 conv with dilation 2: %s, with half the weights%n",
                ReceptiveField.of(plain3x3, plain3x3), ReceptiveField.of(dilated3x3));
    }

    private List<Outcome> runEachBackend(SeparableBlock block, Tensor input) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String kind : BACKENDS) {
            try (ConvBackend backend = Backends.create(kind, device)) {
                Tensor output = backend.separable(block, input);
                // timed as a service runs it: into an output tensor it keeps (a new one is zeroed by the JVM)
                Tensor reused = Tensor.zeros(output.shape());
                double millis = medianMillis(() -> backend.separable(block, input, reused));
                outcomes.add(new Outcome(kind, backend.deviceDescription(), output, millis, null));
            } catch (BackendException e) {
                outcomes.add(new Outcome(kind, null, null, Double.NaN, e.getMessage()));
            }
        }
        return outcomes;
    }

    /** Median wall time of {@link #runs} calls after the warm-up (JIT compilation, kernel builds, buffer pools). */
    private double medianMillis(Runnable call) {
        Sampler sampler = new Sampler(new TimingPolicy(runs, Duration.ZERO, WARM_UP, MAX_TIME));
        return sampler.measure(() -> {
            call.run();
            return TimedCall.NO_DEVICE_TIME;
        }).wall().median() / 1e6;
    }

    private void printTimes(PrintWriter out, List<Outcome> outcomes, long flops) {
        out.println();
        out.printf("time per call (median of %d after a warm-up of at least %.1f s, into a reused output tensor)%n",
                runs, WARM_UP.toMillis() / 1e3);
        for (Outcome o : outcomes) {
            if (o.output() == null) {
                out.printf("  %-7s not run: %s%n", o.backend(), o.notRun());
            } else {
                out.printf("  %-7s %9.3f ms  %7.2f GFLOP/s  on %s%n", o.backend(), o.medianMillis(),
                        flops / (o.medianMillis() * 1e6), o.device());
            }
        }
    }

    private static void printAgreement(PrintWriter out, List<Outcome> outcomes) {
        List<Outcome> ran = outcomes.stream().filter(o -> o.output() != null).toList();
        for (int i = 1; i < ran.size(); i++) {
            out.printf("  max |%s - %s| = %.3g%n", ran.get(0).backend(), ran.get(i).backend(),
                    maxAbsDifference(ran.get(0).output(), ran.get(i).output()));
        }
    }

    private static double maxAbsDifference(Tensor a, Tensor b) {
        double max = 0;
        for (int i = 0; i < a.data().length; i++) {
            max = Math.max(max, Math.abs((double) a.data()[i] - b.data()[i]));
        }
        return max;
    }

    private static ConvLayer layer(Conv2d spec, Random random) {
        return new ConvLayer(spec, randomTensor(random, spec.weightShape()), randomTensor(random, spec.biasShape()));
    }

    /** Uniform in [-1, 1). */
    private static Tensor randomTensor(Random random, Shape shape) {
        float[] data = new float[Math.toIntExact(shape.numel())];
        for (int i = 0; i < data.length; i++) {
            data[i] = 2 * random.nextFloat() - 1;
        }
        return new Tensor(shape, data);
    }
}

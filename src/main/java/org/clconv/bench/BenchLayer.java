package org.clconv.bench;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.SeparableBlock;
import org.clconv.Shape;
import org.clconv.Tensor;

/**
 * One named entry of a benchmark suite: an input shape and either one convolution or a depthwise-separable
 * block (depthwise then pointwise, run as one {@code separable} call). Shapes are checked on construction,
 * so a suite that loads is a suite that runs.
 */
public final class BenchLayer {
    private final String name;
    private final Shape input;
    private final List<Conv2d> stages;
    private final List<ConvGeometry> geometries;

    private BenchLayer(String name, Shape input, List<Conv2d> stages) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a benchmark layer needs a non-empty name");
        }
        this.name = name;
        this.input = Objects.requireNonNull(input, "input");
        this.stages = List.copyOf(stages);
        ConvGeometry first = stages.get(0).bind(input);
        this.geometries = stages.size() == 1 ? List.of(first)
                : List.of(first, stages.get(1).bind(first.outputShape()));
    }

    public static BenchLayer conv(String name, Shape input, Conv2d spec) {
        return new BenchLayer(name, input, List.of(spec));
    }

    /** A separable block; the pair is checked with {@link SeparableBlock}'s own rules. */
    public static BenchLayer separable(String name, Shape input, Conv2d depthwise, Conv2d pointwise) {
        new SeparableBlock(placeholderLayer(depthwise), placeholderLayer(pointwise));
        return new BenchLayer(name, input, List.of(depthwise, pointwise));
    }

    private static ConvLayer placeholderLayer(Conv2d spec) {
        return new ConvLayer(spec, Tensor.zeros(spec.weightShape()), spec.hasBias() ? Tensor.zeros(spec.biasShape()) : null);
    }

    /** The same layer with another batch size (the {@code gpu} suite scales the default one). */
    public BenchLayer withBatch(int batch) {
        return new BenchLayer(name, Shape.of(batch, input.dim(1), input.dim(2), input.dim(3)), stages);
    }

    public String name() {
        return name;
    }

    public Shape inputShape() {
        return input;
    }

    /** One spec for a convolution, depthwise then pointwise for a separable block. */
    public List<Conv2d> stages() {
        return stages;
    }

    public List<ConvGeometry> geometries() {
        return geometries;
    }

    public boolean isSeparable() {
        return stages.size() == 2;
    }

    public Shape outputShape() {
        return geometries.get(geometries.size() - 1).outputShape();
    }

    /** 2 FLOPs per multiply-accumulate, summed over the stages. */
    public long flops() {
        return geometries.stream().mapToLong(ConvGeometry::flops).sum();
    }

    /**
     * The least traffic: every input, weight, bias and output element moved once. A separable block's
     * intermediate tensor is excluded, because a fused implementation never needs to write it out.
     */
    public long minimumBytes() {
        long sum = geometries.stream().mapToLong(ConvGeometry::minimumBytes).sum();
        if (isSeparable()) {
            sum -= 2 * 4 * geometries.get(0).outputShape().numel();
        }
        return sum;
    }

    /** Random input, weights and bias, the same for a given seed on every run and in every process. */
    public Workload materialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
        Tensor in = uniform(input, 1.0, random);
        List<ConvLayer> layers = stages.stream().map(spec -> randomLayer(spec, random)).toList();
        return new Workload(this, in, layers);
    }

    /** PyTorch's default init scale, 1/sqrt(fan_in), so outputs stay near 1 and relative errors are meaningful. */
    private static ConvLayer randomLayer(Conv2d spec, SplittableRandom random) {
        double bound = 1.0 / Math.sqrt((double) spec.inChannelsPerGroup() * spec.kernelH() * spec.kernelW());
        Tensor weight = uniform(spec.weightShape(), bound, random);
        Tensor bias = spec.hasBias() ? uniform(spec.biasShape(), bound, random) : null;
        return new ConvLayer(spec, weight, bias);
    }

    private static Tensor uniform(Shape shape, double bound, SplittableRandom random) {
        float[] data = new float[Tensor.checkedNumel("benchmark tensor", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return new Tensor(shape, data);
    }

    @Override
    public String toString() {
        return name + " " + input + " -> " + outputShape();
    }
}

package org.clconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.InvalidConvolutionException;
import org.clconv.PaddingMode;
import org.clconv.Shape;

/**
 * Random small layers for a quick conformance check of a device against the CPU backend ({@code bench
 * --verify}): every kind (dense, grouped, depthwise with multiplier, pointwise, separable), every padding
 * mode, strides, dilations and activations, on inputs small enough to check in a second. Draws that the
 * contract rejects (a kernel larger than the padded input, reflect pads too large) are drawn again.
 */
public final class RandomLayers {
    private final Random random;

    public RandomLayers(long seed) {
        this.random = new Random(seed);
    }

    public Suite draw(int count) {
        List<BenchLayer> layers = new ArrayList<>();
        while (layers.size() < count) {
            String name = "random" + layers.size();
            try {
                layers.add(random.nextInt(6) == 0 ? separable(name) : conv(name));
            } catch (InvalidConvolutionException e) {
                // an invalid combination: draw again
            }
        }
        return new Suite("random", layers);
    }

    private BenchLayer conv(String name) {
        int groups = List.of(1, 1, 2, 4).get(random.nextInt(4));
        int inChannels = groups * (1 + random.nextInt(8));
        boolean depthwise = random.nextInt(3) == 0;
        if (depthwise) {
            groups = inChannels;
        }
        int outChannels = depthwise ? inChannels * (1 + random.nextInt(2)) : groups * (1 + random.nextInt(8));
        Conv2d spec = randomSpec(Conv2d.builder(inChannels, outChannels, 1 + random.nextInt(5), 1 + random.nextInt(5))
                .groups(groups));
        return BenchLayer.conv(name, input(inChannels), spec);
    }

    private BenchLayer separable(String name) {
        int channels = 1 + random.nextInt(16);
        Conv2d depthwise = randomSpec(Conv2d.depthwise(channels, 1, 1 + random.nextInt(5), 1 + random.nextInt(5)));
        Conv2d pointwise = Conv2d.pointwise(channels, 1 + random.nextInt(16)).activation(activation())
                .bias(random.nextBoolean()).build();
        return BenchLayer.separable(name, input(channels), depthwise, pointwise);
    }

    private Conv2d randomSpec(Conv2d.Builder builder) {
        return builder.stride(1 + random.nextInt(2), 1 + random.nextInt(2))
                .dilation(1 + random.nextInt(3), 1 + random.nextInt(3))
                .padding(random.nextInt(4), random.nextInt(4))
                .paddingMode(PaddingMode.values()[random.nextInt(PaddingMode.values().length)])
                .bias(random.nextBoolean())
                .activation(activation())
                .build();
    }

    private Activation activation() {
        return Activation.values()[random.nextInt(Activation.values().length)];
    }

    private Shape input(int channels) {
        return Shape.of(1 + random.nextInt(3), channels, 4 + random.nextInt(37), 4 + random.nextInt(37));
    }
}

package org.clconv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clconv.Conv2d;
import org.clconv.Shape;

/**
 * The built-in suites: {@code default} (the layers of MobileNet, DeepLab's ASPP and ResNet that the project
 * is judged on, fp32 NCHW with bias), {@code gpu} (the same layers with the batch scaled up so that each
 * one fills a large GPU) and {@code models} (layers of other common networks that take paths the default suite
 * does not), or a suite read from a JSON file.
 */
public final class Suites {
    /** The gpu suite's batch never goes below this, so that small layers still occupy every compute unit. */
    static final int GPU_MIN_BATCH = 64;
    /** ... and grows in powers of two while a layer's minimum traffic stays within this. */
    static final long GPU_MAX_BYTES = 256L << 20;

    private Suites() {
    }

    /** {@code default}, {@code gpu}, {@code models} or the path of a JSON suite file. */
    public static Suite resolve(String nameOrFile) throws IOException {
        switch (nameOrFile) {
            case "default":
                return defaultSuite();
            case "gpu":
                return gpuSuite();
            case "models":
                return modelsSuite();
            default:
                Path file = Path.of(nameOrFile);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--suite must be 'default', 'gpu', 'models' or a JSON suite "
                            + "file, got '" + nameOrFile + "' (no such file)");
                }
                return SuiteFile.read(file);
        }
    }

    public static Suite defaultSuite() {
        List<BenchLayer> layers = new ArrayList<>();
        layers.add(depthwise("seed_dw", 1, 3, 128, 3, 1, 1, 1));
        layers.add(pointwise("seed_pw", 1, 3, 128, 10));
        layers.add(depthwise("mb_dw32", 1, 32, 112, 3, 1, 1, 1));
        layers.add(pointwise("mb_pw32_64", 1, 32, 112, 64));
        layers.add(depthwise("mb_dw64s2", 1, 64, 112, 3, 2, 1, 1));
        layers.add(pointwise("mb_pw64_128", 1, 64, 56, 128));
        layers.add(depthwise("mb_dw256", 1, 256, 28, 3, 1, 1, 1));
        layers.add(pointwise("mb_pw256", 1, 256, 28, 256));
        layers.add(depthwise("mb_dw512", 1, 512, 14, 3, 1, 1, 1));
        layers.add(pointwise("mb_pw512", 1, 512, 14, 512));
        layers.add(depthwise("mb_dw1024", 1, 1024, 7, 3, 1, 1, 1));
        layers.add(pointwise("mb_pw1024", 1, 1024, 7, 1024));
        for (int rate : new int[] {6, 12, 18}) {
            Conv2d aspp = Conv2d.builder(256, 256, 3).padding(rate).dilation(rate).build();
            layers.add(BenchLayer.conv("aspp_d" + rate, square(1, 256, 33), aspp));
        }
        layers.add(BenchLayer.conv("res3x3", square(1, 64, 56), Conv2d.builder(64, 64, 3).padding(1).build()));
        layers.add(depthwise("dw5x5_d2", 1, 128, 56, 5, 1, 4, 2));
        layers.add(depthwise("b32_dw256", 32, 256, 28, 3, 1, 1, 1));
        layers.add(pointwise("b32_pw256", 32, 256, 28, 256));
        layers.add(BenchLayer.separable("sep_block", square(1, 256, 28), depthwiseSpec(256, 3, 1, 1, 1),
                Conv2d.pointwise(256, 256).build()));
        return new Suite("default", layers);
    }

    /**
     * Layers of other common networks, batch 1, each on a path or shape the default suite leaves out: the
     * ImageNet stem (3 channels, stride 2: a tiny GEMM depth and strided packing), EfficientNet-B0's depthwise
     * layers (3x3 and 5x5 with stride 2, 5x5 on 28x28 and 14x14), ConvNeXt-T's 7x7 depthwise, a dilated 3x3
     * depthwise (DeepLab's MobileNet backbone) and a depthwise layer with channel multiplier 2.
     */
    public static Suite modelsSuite() {
        List<BenchLayer> layers = new ArrayList<>();
        layers.add(BenchLayer.conv("stem_s2", square(1, 3, 224),
                Conv2d.builder(3, 32, 3).stride(2).padding(1).build()));
        layers.add(depthwise("en_dw3s2", 1, 96, 112, 3, 2, 1, 1));
        layers.add(depthwise("en_dw5s2", 1, 144, 56, 5, 2, 2, 1));
        layers.add(depthwise("en_dw5_28", 1, 240, 28, 5, 1, 2, 1));
        layers.add(depthwise("en_dw5_14", 1, 672, 14, 5, 1, 2, 1));
        layers.add(depthwise("cnx_dw7", 1, 96, 56, 7, 1, 3, 1));
        layers.add(depthwise("dw3_d2", 1, 256, 28, 3, 1, 2, 2));
        layers.add(BenchLayer.conv("dw3_mult2", square(1, 64, 56),
                Conv2d.depthwise(64, 2, 3, 3).padding(1).build()));
        return new Suite("models", layers);
    }

    /**
     * The default layers at a batch of at least {@value #GPU_MIN_BATCH}, doubled while the layer's minimum
     * traffic stays within {@link #GPU_MAX_BYTES}: enough work per launch to fill a large GPU and amortise
     * launch overhead, while every tensor fits a single allocation on any current card.
     */
    public static Suite gpuSuite() {
        List<BenchLayer> layers = defaultSuite().layers().stream().map(l -> l.withBatch(gpuBatch(l))).toList();
        return new Suite("gpu", layers);
    }

    static int gpuBatch(BenchLayer layer) {
        BenchLayer one = layer.withBatch(1);
        BenchLayer two = layer.withBatch(2);
        long perSample = two.minimumBytes() - one.minimumBytes();
        long fixed = one.minimumBytes() - perSample;
        int batch = GPU_MIN_BATCH;
        while (fixed + perSample * batch * 2 <= GPU_MAX_BYTES) {
            batch *= 2;
        }
        return batch;
    }

    private static BenchLayer depthwise(String name, int batch, int channels, int size, int kernel, int stride,
            int padding, int dilation) {
        return BenchLayer.conv(name, square(batch, channels, size), depthwiseSpec(channels, kernel, stride, padding, dilation));
    }

    private static Conv2d depthwiseSpec(int channels, int kernel, int stride, int padding, int dilation) {
        return Conv2d.depthwise(channels, 1, kernel, kernel).stride(stride).padding(padding).dilation(dilation).build();
    }

    private static BenchLayer pointwise(String name, int batch, int channels, int size, int outChannels) {
        return BenchLayer.conv(name, square(batch, channels, size), Conv2d.pointwise(channels, outChannels).build());
    }

    private static Shape square(int batch, int channels, int size) {
        return Shape.of(batch, channels, size, size);
    }
}

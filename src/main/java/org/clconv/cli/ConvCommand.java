package org.clconv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clconv.Activation;
import org.clconv.Backends;
import org.clconv.Conv2d;
import org.clconv.ConvBackend;
import org.clconv.ConvLayer;
import org.clconv.IntPair;
import org.clconv.InvalidConvolutionException;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Tensor;
import org.clconv.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code clconv conv}: one {@code torch.nn.functional.conv2d} call on .npy files. Everything is checked before
 * the backend runs, and the output is written atomically only after it succeeded, so a failed run never
 * touches {@code --output}.
 */
@Command(name = "conv", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one Conv2d on .npy files: Y = conv2d(X, W, B). The weight's shape (out, in/groups, kh, kw) "
                + "gives the channels and the kernel.")
final class ConvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input, float32 NCHW.")
    Path input;

    @Option(names = "--weight", required = true, paramLabel = "W.npy",
            description = "Weight, float32 (out_channels, in_channels/groups, kh, kw).")
    Path weight;

    @Option(names = "--bias", paramLabel = "B.npy", description = "Bias, float32 (out_channels); none if absent.")
    Path bias;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "1", description = "a or a,b (height,width). Default: ${DEFAULT-VALUE}.")
    String stride;

    @Option(names = "--padding", paramLabel = "P", defaultValue = "0",
            description = "a, a,b (height,width), same or valid. Default: ${DEFAULT-VALUE}.")
    String padding;

    @Option(names = "--dilation", paramLabel = "D", defaultValue = "1", description = "a or a,b (height,width). Default: ${DEFAULT-VALUE}.")
    String dilation;

    @Option(names = "--groups", paramLabel = "G", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int groups;

    @Option(names = "--padding-mode", paramLabel = "MODE", defaultValue = "zeros",
            description = "zeros, reflect, replicate or circular. Default: ${DEFAULT-VALUE}.")
    String paddingMode;

    @Option(names = "--activation", paramLabel = "ACT", defaultValue = "none",
            description = "none, relu or relu6, fused after the bias. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
            description = "auto, cpu or opencl. Default: ${DEFAULT-VALUE} (OpenCL when a device is usable, else cpu).")
    String backend;

    @Option(names = "--device", paramLabel = "DEV",
            description = "OpenCL device: an index or a name substring (see 'clconv devices').")
    String device;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Where to write the result (float32).")
    Path output;

    @Override
    public Integer call() throws IOException {
        SpecOptions options = parsedOptions();
        checkOutputLocation();
        Tensor x = read("--input", input);
        Tensor w = read("--weight", weight);
        Tensor b = bias == null ? null : read("--bias", bias);
        ConvLayer layer = new ConvLayer(options.specFor(w, b != null), w, b);
        // check the input against the layer before a backend (maybe an OpenCL context) is even created
        layer.bind(x.shape());
        Tensor y;
        String ranOn;
        try (ConvBackend conv = Backends.create(backend, device)) {
            y = conv.conv2d(layer, x);
            ranOn = conv.name() + " (" + conv.deviceDescription() + ")";
        }
        Npy.write(output, y);
        spec.commandLine().getOut().println(output + ": " + y.shape() + " from " + layer.spec() + " on " + ranOn);
        return 0;
    }

    /** The options that do not depend on the files, parsed before any file is read. */
    private SpecOptions parsedOptions() {
        if (groups < 1) {
            throw new ParameterException(spec.commandLine(), "--groups must be positive, got " + groups);
        }
        return new SpecOptions(IntPair.parse("stride", stride), Padding.parse(padding),
                IntPair.parse("dilation", dilation), groups, PaddingMode.parse(paddingMode), Activation.parse(activation));
    }

    /**
     * Fails before any work if the result could not be written (a missing or unwritable folder, a folder in the
     * way) or would overwrite one of the command's own inputs.
     */
    private void checkOutputLocation() {
        Path folder = output.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new InvalidInputException("--output " + output + ": the folder " + folder + " does not exist");
        }
        if (Files.isDirectory(output)) {
            throw new InvalidInputException("--output " + output + ": is a folder, not a file");
        }
        checkNotAnInput("--input", input);
        checkNotAnInput("--weight", weight);
        checkNotAnInput("--bias", bias);
        checkWritable(folder);
    }

    private void checkNotAnInput(String option, Path in) {
        if (in != null && sameFile(output, in)) {
            throw new InvalidInputException("--output " + output + " is the same file as " + option + " " + in
                    + "; write the result to another file");
        }
    }

    /** The same file by path, or (both existing) by identity, which also sees through links. */
    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates and deletes a file where the output will go: permissions, read-only mounts and quotas all show. */
    private void checkWritable(Path folder) {
        try {
            Files.delete(Files.createTempFile(folder, ".clconv-probe-", ".tmp"));
        } catch (IOException e) {
            throw new InvalidInputException("--output " + output + ": cannot write in " + folder + ": "
                    + Failures.describe(e), e);
        }
    }

    private static Tensor read(String option, Path path) {
        try {
            return Npy.read(path);
        } catch (IOException e) {
            throw new InvalidInputException(option + " " + path + ": " + Failures.describe(e), e);
        }
    }

    /** The parsed options; the weight supplies the rest of the spec. */
    private record SpecOptions(int[] stride, Padding padding, int[] dilation, int groups, PaddingMode paddingMode,
                               Activation activation) {

        /** A spec whose channels and kernel come from the weight, (out, in/groups, kh, kw), as in PyTorch. */
        Conv2d specFor(Tensor weight, boolean hasBias) {
            if (weight.rank() != 4) {
                throw new InvalidConvolutionException("weight must be 4-D (out_channels, in_channels/groups, kh, kw), "
                        + "got shape " + weight.shape());
            }
            long inChannels = (long) weight.dim(1) * groups;
            if (inChannels > Integer.MAX_VALUE) {
                throw new InvalidConvolutionException("in_channels = groups * weight.shape[1] = " + groups + " * "
                        + weight.dim(1) + " is too large");
            }
            return Conv2d.builder((int) inChannels, weight.dim(0), weight.dim(2), weight.dim(3))
                    .stride(stride[0], stride[1]).padding(padding).dilation(dilation[0], dilation[1]).groups(groups)
                    .bias(hasBias).paddingMode(paddingMode).activation(activation).build();
        }
    }
}

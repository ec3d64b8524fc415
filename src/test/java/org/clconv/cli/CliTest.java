package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Activation;
import org.clconv.Reference;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.io.Npy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the real command line (picocli, in-process) on .npy files, and the launcher script when a jar exists. */
class CliTest {
    /** What a failed run must leave at --output: these bytes, untouched. */
    private static final byte[] OLD_OUTPUT = "previous result".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    private final Random random = new Random(7);

    @BeforeEach
    void writeInputs() throws IOException {
        // x: 2 x 4 x 9 x 8; w: 6 out, 4/2 in per group, 3 x 2 kernel; b: 6
        write("x.npy", Shape.of(2, 4, 9, 8));
        write("w.npy", Shape.of(6, 2, 3, 2));
        write("b.npy", Shape.of(6));
        write("x3d.npy", Shape.of(4, 9, 8));
        write("w3d.npy", Shape.of(6, 2, 3));
        write("b2.npy", Shape.of(2, 3));
        Files.write(dir.resolve("not-npy.npy"), "hello".getBytes(StandardCharsets.US_ASCII));
        Files.copy(Path.of("src/test/resources/npy/float64.npy"), dir.resolve("x64.npy"));
        Files.write(dir.resolve("y.npy"), OLD_OUTPUT);
    }

    @Test
    void convWritesWhatTheReferenceComputes() throws IOException {
        CliRun run = CliRun.of("conv", "--input", p("x.npy"), "--weight", p("w.npy"), "--bias", p("b.npy"),
                "--stride", "2,1", "--padding", "1,2", "--dilation", "1,2", "--groups", "2",
                "--padding-mode", "reflect", "--activation", "relu6", "--backend", "cpu", "--output", p("y.npy"));
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
        Conv2d spec = Conv2d.builder(4, 6, 3, 2).stride(2, 1).padding(1, 2).dilation(1, 2).groups(2)
                .paddingMode(PaddingMode.REFLECT).activation(Activation.RELU6).build();
        Tensor y = Npy.read(dir.resolve("y.npy"));
        ConvLayer layer = new ConvLayer(spec, Npy.read(dir.resolve("w.npy")), Npy.read(dir.resolve("b.npy")));
        Tensor x = Npy.read(dir.resolve("x.npy"));
        assertEquals(layer.bind(x.shape()).outputShape(), y.shape());
        assertTrue(Reference.relativeL2(y.data(), Reference.conv2d(layer, x)) <= 1e-5);
        assertTrue(run.out().contains("[2, 6, 5, 10]"), run.out());
    }

    @Test
    void convWithoutBiasAndWithSamePadding() throws IOException {
        CliRun run = CliRun.of("conv", "--input", p("x.npy"), "--weight", p("w.npy"), "--groups", "2", "--padding", "same",
                "--backend", "cpu", "--output", p("y.npy"));
        assertEquals(0, run.exit(), run.err());
        Conv2d spec = Conv2d.builder(4, 6, 3, 2).groups(2).padding(Padding.same()).bias(false).build();
        ConvLayer layer = new ConvLayer(spec, Npy.read(dir.resolve("w.npy")), null);
        Tensor x = Npy.read(dir.resolve("x.npy"));
        Tensor y = Npy.read(dir.resolve("y.npy"));
        assertEquals(Shape.of(2, 6, 9, 8), y.shape());
        assertTrue(Reference.relativeL2(y.data(), Reference.conv2d(layer, x)) <= 1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputFailsWithOneLineAndLeavesTheOutputUntouched(String why, int exit, List<String> args)
            throws IOException {
        List<String> argv = new ArrayList<>(List.of("conv"));
        for (String a : args) {
            argv.add(a.endsWith(".npy") ? p(a) : a);
        }
        CliRun run = CliRun.of(argv.toArray(String[]::new));
        assertEquals(exit, run.exit(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("clconv: error: "), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
        assertEquals("", run.out());
        assertOutputUntouched();
    }

    static Stream<Arguments> badInputs() {
        List<String> ok = List.of("--input", "x.npy", "--weight", "w.npy", "--groups", "2", "--backend", "cpu",
                "--output", "y.npy");
        return Stream.of(
                bad("missing --input", 2, List.of("--weight", "w.npy", "--output", "y.npy")),
                bad("unknown option", 2, with(ok, "--colour", "red")),
                bad("stride not a number", 2, with(ok, "--stride", "x")),
                bad("stride with three values", 2, with(ok, "--stride", "1,2,3")),
                bad("zero stride", 2, with(ok, "--stride", "0")),
                bad("negative padding", 2, with(ok, "--padding", "-1")),
                bad("same with stride 2", 2, with(ok, "--padding", "same", "--stride", "2")),
                bad("zero dilation", 2, with(ok, "--dilation", "0,1")),
                bad("bad padding mode", 2, with(ok, "--padding-mode", "mirror")),
                bad("bad activation", 2, with(ok, "--activation", "gelu")),
                bad("bad backend", 2, with(ok, "--backend", "tpu")),
                bad("zero groups", 2, with(ok, "--groups", "0")),
                bad("groups that do not match the channels", 2, with(ok, "--groups", "1")),
                bad("groups that do not divide out_channels", 2, with(ok, "--groups", "4")),
                bad("missing input file", 2, List.of("--input", "nope.npy", "--weight", "w.npy", "--output", "y.npy")),
                bad("input not NPY", 2, List.of("--input", "not-npy.npy", "--weight", "w.npy", "--output", "y.npy")),
                bad("float64 input", 2, List.of("--input", "x64.npy", "--weight", "w.npy", "--output", "y.npy")),
                bad("3-D input", 2, List.of("--input", "x3d.npy", "--weight", "w.npy", "--groups", "2",
                        "--output", "y.npy")),
                bad("3-D weight", 2, List.of("--input", "x.npy", "--weight", "w3d.npy", "--output", "y.npy")),
                bad("bias of the wrong shape", 2, with(ok, "--bias", "b2.npy")),
                bad("kernel larger than the padded input", 2, with(ok, "--dilation", "5")),
                bad("reflect padding as large as the input", 2, with(ok, "--padding-mode", "reflect", "--padding", "9,0")),
                bad("circular padding larger than the input", 2, with(ok, "--padding-mode", "circular", "--padding", "10")),
                bad("output is a folder", 2, with(ok.subList(0, ok.size() - 2), "--output", ".")));
    }

    @Test
    void missingOutputFolderFailsBeforeAnyWork() {
        CliRun run = CliRun.of("conv", "--input", p("x.npy"), "--weight", p("w.npy"), "--groups", "2", "--output",
                dir.resolve("no-such-folder").resolve("y.npy").toString());
        assertEquals(2, run.exit());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("no-such-folder"), run.err());
        assertFalse(Files.exists(dir.resolve("no-such-folder")));
    }

    @Test
    void float64InputSaysHowToSaveFloat32AndNamesTheOption() {
        CliRun run = CliRun.of("conv", "--input", p("x64.npy"), "--weight", p("w.npy"), "--output", p("y.npy"));
        assertTrue(run.err().startsWith("clconv: error: --input " + p("x64.npy") + ": dtype '<f8' (float64)"), run.err());
        assertTrue(run.err().contains("astype(np.float32)"), run.err());
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        CliRun run = CliRun.of("conv", "--verbose", "--input", p("x.npy"), "--weight", p("w.npy"), "--groups", "3",
                "--output", p("y.npy"));
        assertEquals(2, run.exit());
        assertTrue(run.err().startsWith("clconv: error: input has 4 channels"), run.err());
        assertTrue(run.err().contains("\tat org.clconv."), run.err());
        assertOutputUntouched();
    }

    @Test
    void openclEitherRunsOrFailsCleanlyAsARuntimeError() throws IOException {
        CliRun run = CliRun.of("conv", "--input", p("x.npy"), "--weight", p("w.npy"), "--groups", "2", "--backend", "opencl",
                "--output", p("y.npy"));
        if (run.exit() == 0) {
            assertEquals(Shape.of(2, 6, 7, 7), Npy.read(dir.resolve("y.npy")).shape());
        } else {
            assertEquals(1, run.exit(), run.err());
            assertEquals(1, run.errLines().size(), run.err());
            assertOutputUntouched();
        }
    }

    @Test
    void devicesListsTheCpu() {
        CliRun run = CliRun.of("devices");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("cpu")), run.out());
    }

    @Test
    void demoRunsTheLessonsExercise() {
        CliRun run = CliRun.of("demo", "--runs", "3");
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.contains("-> [1, 10, 128, 128]"), out);
        assertTrue(out.contains("8,847,360 FLOPs"), out);
        assertTrue(out.contains("1,867,776 FLOPs"), out);
        assertTrue(out.contains("0.2111 measured; 1/n + 1/k^2 = 1/10 + 1/9 = 0.2111"), out);
        assertTrue(out.contains("this block: 3x3"), out);
        assertTrue(out.contains("two stacked 3x3 convs: 5x5; one 3x3 conv with dilation 2: 5x5"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  cpu +[0-9.]+ ms .*")), out);
    }

    @Test
    void demoRejectsTooFewRunsForAMedian() {
        CliRun run = CliRun.of("demo", "--runs", "2");
        assertEquals(2, run.exit());
        assertEquals(1, run.errLines().size(), run.err());
    }

    @Test
    void noSubcommandShowsUsageAndFails() {
        CliRun run = CliRun.of();
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("conv"), run.err());
    }

    /**
     * The launcher with the jar packaged from these very classes (CLCONV_JAR), so the test never starts a
     * nested Maven build; skipped when no jar newer than the compiled classes exists (mvn test without package).
     */
    @Test
    void launcherScriptRunsThePackagedJar() throws Exception {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = classes.resolveSibling("clconv-cli.jar");
        Path mainClass = classes.resolve("org/clconv/cli/Main.class");
        Assumptions.assumeTrue(Files.isRegularFile(jar)
                        && !Files.getLastModifiedTime(jar).toInstant().isBefore(Files.getLastModifiedTime(mainClass).toInstant()),
                "no jar packaged from the current classes at " + jar + " (run mvn package first)");
        ProcessBuilder builder = new ProcessBuilder(Path.of("scripts", "clconv").toAbsolutePath().toString(), "conv",
                "--input", p("x.npy"), "--weight", p("w.npy"), "--groups", "2", "--stride", "0", "--output", p("y.npy"))
                .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("CLCONV_JAR", jar.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        assertEquals(2, process.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertOutputUntouched();
    }

    private void assertOutputUntouched() throws IOException {
        assertArrayEquals(OLD_OUTPUT, Files.readAllBytes(dir.resolve("y.npy")));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file was left");
        }
    }

    private static Arguments bad(String why, int exit, List<String> args) {
        return Arguments.of(why, exit, args);
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    private void write(String name, Shape shape) throws IOException {
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = 2 * random.nextFloat() - 1;
        }
        Npy.write(dir.resolve(name), new Tensor(shape, data));
    }
}

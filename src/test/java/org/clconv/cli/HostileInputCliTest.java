package org.clconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files and paths a service might be handed by mistake or by an attacker, each through {@code clconv conv} on
 * every backend choice: every one must end in exactly one {@code clconv: error:} line, a non-zero exit, nothing
 * on stdout, no stack trace, and an output path that is exactly as it was (no partial or temporary file).
 * The plain option mistakes are in {@link CliTest}; these are the hostile files and paths.
 */
class HostileInputCliTest {
    private static final byte[] OLD_OUTPUT = "previous result".getBytes(StandardCharsets.US_ASCII);

    /** Shared by all cases (writing the files per case would cost more than running them). */
    @TempDir
    static Path dir;

    @BeforeEach
    void resetOutput() throws IOException {
        Files.write(dir.resolve("y.npy"), OLD_OUTPUT);
    }

    @BeforeAll
    static void writeFiles() throws IOException {
        Npy.write(dir.resolve("x.npy"), filled(Shape.of(1, 2, 6, 6)));
        Npy.write(dir.resolve("w.npy"), filled(Shape.of(3, 2, 3, 3)));
        byte[] good = Files.readAllBytes(dir.resolve("x.npy"));
        Files.write(dir.resolve("truncated-data.npy"), Arrays.copyOf(good, good.length - 7));
        Files.write(dir.resolve("truncated-header.npy"), Arrays.copyOf(good, 40));
        Files.write(dir.resolve("magic-only.npy"), Arrays.copyOf(good, 6));
        Files.write(dir.resolve("empty.npy"), new byte[0]);
        Files.write(dir.resolve("trailing-bytes.npy"), concat(good, new byte[12]));
        Files.write(dir.resolve("random-bytes.npy"), randomBytes(4096));
        Files.write(dir.resolve("html.npy"), "<html><body>404 Not Found</body></html>".getBytes(StandardCharsets.UTF_8));
        header("float64.npy", "<f8", "(1, 2, 6, 6)", 8 * 72);
        header("float16.npy", "<f2", "(1, 2, 6, 6)", 2 * 72);
        header("int32.npy", "<i4", "(1, 2, 6, 6)", 4 * 72);
        header("uint8.npy", "|u1", "(1, 2, 6, 6)", 72);
        header("complex64.npy", "<c8", "(1, 2, 6, 6)", 8 * 72);
        header("huge-shape.npy", "<f4", "(100000, 100000, 100000, 100000)", 64);
        header("shape-beyond-int.npy", "<f4", "(1, 2, 65536, 65536)", 64);
        header("shape-overflowing-long.npy", "<f4", "(9223372036854775807, 9223372036854775807, 2, 2)", 64);
        header("negative-shape.npy", "<f4", "(1, -2, 6, 6)", 4 * 72);
        header("zero-size.npy", "<f4", "(1, 2, 0, 6)", 0);
        header("scalar.npy", "<f4", "()", 4);
        header("rank5.npy", "<f4", "(1, 1, 2, 6, 6)", 4 * 72);
        header("object.npy", "|O", "(1, 2, 6, 6)", 8 * 72);
        Files.createDirectory(dir.resolve("folder.npy"));
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link-to-x.npy"), dir.resolve("x.npy"));
    }

    static Stream<Arguments> hostileCases() {
        List<Arguments> cases = new ArrayList<>();
        // Files are read and checked before a backend is created, so every file on the default backend and a
        // few on the explicit ones show that the choice of backend changes nothing.
        for (String backend : List.of("auto", "cpu", "opencl")) {
            List<String> all = List.of("truncated-data.npy", "truncated-header.npy", "magic-only.npy", "empty.npy",
                    "trailing-bytes.npy", "random-bytes.npy", "html.npy", "float64.npy", "float16.npy", "int32.npy",
                    "uint8.npy", "complex64.npy", "huge-shape.npy", "shape-beyond-int.npy",
                    "shape-overflowing-long.npy", "negative-shape.npy", "zero-size.npy", "scalar.npy", "rank5.npy",
                    "object.npy", "folder.npy", "missing.npy", "/dev/null", "/dev/zero");
            for (String file : backend.equals("auto") ? all : List.of("truncated-data.npy", "float64.npy",
                    "huge-shape.npy", "folder.npy")) {
                cases.add(Arguments.of(backend, "--input " + file, List.of("--input", file, "--weight", "w.npy")));
                cases.add(Arguments.of(backend, "--weight " + file, List.of("--input", "x.npy", "--weight", file)));
            }
            cases.add(Arguments.of(backend, "--bias float64.npy",
                    List.of("--input", "x.npy", "--weight", "w.npy", "--bias", "float64.npy")));
            cases.add(Arguments.of(backend, "--bias of a 4-D shape",
                    List.of("--input", "x.npy", "--weight", "w.npy", "--bias", "x.npy")));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostileCases")
    void hostileFileFailsCleanly(String backend, String what, List<String> files) throws IOException {
        List<String> args = new ArrayList<>(List.of("conv", "--backend", backend, "--output", p("y.npy")));
        for (String f : files) {
            args.add(f.endsWith(".npy") ? p(f) : f);
        }
        assertFailsCleanly(CliRun.of(args.toArray(String[]::new)), 2);
    }

    static Stream<Arguments> hostileOutputs() {
        return Stream.of(
                Arguments.of("the input itself", "x.npy"),
                Arguments.of("the weight itself", "w.npy"),
                Arguments.of("the input by another spelling", "./sub/../x.npy"),
                Arguments.of("a link to the input", "link-to-x.npy"),
                Arguments.of("a folder", "folder.npy"),
                Arguments.of("below a regular file", "x.npy/y.npy"),
                Arguments.of("in a missing folder", "missing/y.npy"),
                Arguments.of("in a folder nothing can be created in", "/proc/clconv-y.npy"));
    }

    @ParameterizedTest(name = "--output {0}")
    @MethodSource("hostileOutputs")
    void hostileOutputPathFailsBeforeAnyWork(String what, String output) throws IOException {
        byte[] inputBefore = Files.readAllBytes(dir.resolve("x.npy"));
        byte[] weightBefore = Files.readAllBytes(dir.resolve("w.npy"));
        Path out = output.startsWith("/") ? Path.of(output) : dir.resolve(output);
        CliRun run = CliRun.of("conv", "--input", p("x.npy"), "--weight", p("w.npy"), "--backend", "cpu",
                "--output", out.toString());
        assertFailsCleanly(run, 2);
        assertArrayEquals(inputBefore, Files.readAllBytes(dir.resolve("x.npy")), "the input was changed");
        assertArrayEquals(weightBefore, Files.readAllBytes(dir.resolve("w.npy")), "the weight was changed");
        assertFalse(Files.exists(Path.of("/proc/clconv-y.npy")));
    }

    private static void assertFailsCleanly(CliRun run, int exit) throws IOException {
        assertEquals(exit, run.exit(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("clconv: error: "), run.err());
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), run.err());
        assertEquals("", run.out());
        assertArrayEquals(OLD_OUTPUT, Files.readAllBytes(dir.resolve("y.npy")), "--output was touched");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file was left");
        }
    }

    /** A version 1.0 NPY header for {@code descr} and {@code shape}, followed by {@code dataBytes} zero bytes. */
    private static void header(String name, String descr, String shape, int dataBytes) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String padded = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) padded.length());
        Files.write(dir.resolve(name), concat(concat(prefix.array(), padded.getBytes(StandardCharsets.US_ASCII)),
                new byte[dataBytes]));
    }

    private static Tensor filled(Shape shape) {
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 7) * 0.25f - 0.75f;
        }
        return new Tensor(shape, data);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new java.util.Random(3).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String p(String name) {
        return name.startsWith("/") ? name : dir.resolve(name).toString();
    }
}

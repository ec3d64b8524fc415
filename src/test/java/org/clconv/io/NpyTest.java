package org.clconv.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads numpy-written fixtures (scripts/make-npy-fixtures.py) and hand-made headers; checks every rejection. */
class NpyTest {
    private static final String BASE_HEADER = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";

    @TempDir
    Path dir;

    /** The array every float fixture holds: base[i, j, k] = (12i + 4j + k) * 0.25 - 1.5, in C order. */
    private static float[] base() {
        float[] expected = new float[24];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i * 0.25f - 1.5f;
        }
        return expected;
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"c-little.npy", "c-big.npy", "fortran-little.npy", "fortran-big.npy", "version2.npy",
        "version3.npy"})
    void readsEveryByteOrderMemoryOrderAndVersionNumpyWrites(String name) throws Exception {
        Tensor t = Npy.read(fixture(name));
        assertEquals(Shape.of(2, 3, 4), t.shape());
        assertArrayEquals(base(), t.data());
    }

    @Test
    void readsScalarAndVector() throws Exception {
        Tensor scalar = Npy.read(fixture("scalar.npy"));
        assertEquals(0, scalar.rank());
        assertArrayEquals(new float[] {2.5f}, scalar.data());
        Tensor vector = Npy.read(fixture("vector.npy"));
        assertEquals(Shape.of(3), vector.shape());
        assertArrayEquals(new float[] {1f, -2f, 3.5f}, vector.data());
    }

    @Test
    void writesExactlyWhatNumpyWrites() throws Exception {
        Path out = dir.resolve("base.npy");
        Npy.write(out, Tensor.of(base(), 2, 3, 4));
        assertArrayEquals(Files.readAllBytes(fixture("c-little.npy")), Files.readAllBytes(out));
    }

    @ParameterizedTest
    @MethodSource("roundTripShapes")
    void roundTripsAnyRank(int[] dims) throws Exception {
        Shape shape = Shape.of(dims);
        float[] data = new float[(int) shape.numel()];
        Random random = new Random(dims.length);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        data[0] = Float.NaN;
        Path out = dir.resolve("t.npy");
        Npy.write(out, new Tensor(shape, data));
        Tensor back = Npy.read(out);
        assertEquals(shape, back.shape());
        assertArrayEquals(data, back.data());
        assertEquals(0, (Files.size(out) - 4L * data.length) % 64, "the data starts 64-byte aligned");
    }

    static Stream<Arguments> roundTripShapes() {
        // 700 x 800 spans more than one 1 MiB I/O chunk
        return Stream.of(new int[] {}, new int[] {7}, new int[] {2, 3, 5, 7}, new int[] {1, 1, 700, 800})
                .map(d -> Arguments.of((Object) d));
    }

    @Test
    void usesVersion2OnlyWhenTheHeaderOutgrowsVersion1() throws Exception {
        int[] manyOnes = new int[22_000];
        Arrays.fill(manyOnes, 1);
        Path out = dir.resolve("long-header.npy");
        Npy.write(out, new Tensor(Shape.of(manyOnes), new float[] {4f}));
        byte[] bytes = Files.readAllBytes(out);
        assertEquals(2, bytes[6], "major version");
        Tensor back = Npy.read(out);
        assertEquals(Shape.of(manyOnes), back.shape());
        assertArrayEquals(new float[] {4f}, back.data());
        Npy.write(out, Tensor.of(new float[] {4f}, 1));
        assertEquals(1, Files.readAllBytes(out)[6], "major version");
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        Path out = dir.resolve("y.npy");
        Files.write(out, new byte[] {1, 2, 3});
        Npy.write(out, Tensor.of(new float[] {1f, 2f}, 2));
        assertArrayEquals(new float[] {1f, 2f}, Npy.read(out).data());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList());
        }
    }

    @Test
    void failedWriteDeletesItsTemporaryFileAndKeepsTheTarget() throws Exception {
        Path target = dir.resolve("a-folder.npy");
        Files.createDirectory(target);
        Files.write(target.resolve("inside"), new byte[] {9});
        assertThrows(IOException.class, () -> Npy.write(target, Tensor.of(new float[] {1f}, 1)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(target.resolve("inside")));
    }

    @Test
    void writeIntoMissingFolderNamesTheFolder() {
        Path missing = dir.resolve("no-such-folder");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> Npy.write(missing.resolve("y.npy"), Tensor.of(new float[] {1f}, 1)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void readsHeaderKeysInAnyOrderAndPython2Longs() throws Exception {
        Path f = npy(1, "{'shape': (2L, 3L, 4L), \"fortran_order\": False, 'descr': '<f4'}",
                le(base()));
        assertArrayEquals(base(), Npy.read(f).data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"=f4", "f4"})
    void nativeByteOrderMeansThisMachines(String descr) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(96).order(ByteOrder.nativeOrder());
        data.asFloatBuffer().put(base());
        Path f = npy(1, BASE_HEADER.replace("<f4", descr), data.array());
        assertArrayEquals(base(), Npy.read(f).data());
    }

    @Test
    void decodesVersion3HeadersAsUtf8() throws Exception {
        // version 3.0 exists for UTF-8 (in field names); the error must show the character, not its bytes
        Path f = npy(3, BASE_HEADER.replace("<f4", "<f4\u00e9"), le(base()));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("'<f4\u00e9'"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("otherDtypes")
    void rejectsEveryOtherDtypeNamingIt(String fixture, String named) throws Exception {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(fixture(fixture)));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    static Stream<Arguments> otherDtypes() {
        return Stream.of(Arguments.of("float64.npy", "'<f8' (float64)"), Arguments.of("int32.npy", "'<i4' (int32)"),
                Arguments.of("bool.npy", "'|b1' (bool)"), Arguments.of("object.npy", "'|O' (object)"),
                Arguments.of("structured.npy", "structured dtype"));
    }

    @Test
    void float64ErrorSaysHowToSaveFloat32() throws Exception {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(fixture("float64.npy")));
        assertTrue(e.getMessage().contains("np.save(path, a.astype(np.float32))"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("badHeaders")
    void rejectsBadHeadersNamingWhatWasFound(String header, String named) throws Exception {
        Path f = npy(1, header, le(base()));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of(BASE_HEADER.replace("<f4", "|f4"), "'|f4' is invalid"),
                Arguments.of(BASE_HEADER.replace("<f4", "<f2"), "(float16)"),
                Arguments.of(BASE_HEADER.replace("<f4", "<f4x"), "'<f4x'"),
                Arguments.of("{'descr': '<f4', 'shape': (2, 3, 4), }", "keys must be exactly"),
                Arguments.of(BASE_HEADER.replace("}", "'extra': 1, }"), "extra"),
                Arguments.of(BASE_HEADER.replace("False", "0"), "fortran_order must be True or False, got 0"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "(2, -3, 4)"), "non-negative"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "24"), "shape must be a tuple"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "(2, 3, 4"), "malformed NPY header"),
                Arguments.of("not a dict", "expected a dict"),
                Arguments.of(BASE_HEADER + " trailing", "unexpected text after the dict"),
                Arguments.of(BASE_HEADER.replace("'shape'", "'descr'"), "duplicate key 'descr'"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "(2, 0, 4)"), "(2, 0, 4) is empty"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "(2, 3, 5)"), "truncated NPY file"),
                Arguments.of(BASE_HEADER.replace("(2, 3, 4)", "(2, 3)"), "the header does not describe the data"));
    }

    @Test
    void rejectsAHugeDeclaredShapeBeforeAllocating() throws Exception {
        Path f = npy(1, BASE_HEADER.replace("(2, 3, 4)", "(100000, 100000, 100000)"), le(base()));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("needs 4000000000000000 bytes of data but the file has 96"),
                e.getMessage());
        Path overflow = npy(1, BASE_HEADER.replace("(2, 3, 4)", "(9223372036854775807, 2)"), le(base()));
        e = assertThrows(NpyFormatException.class, () -> Npy.read(overflow));
        assertTrue(e.getMessage().contains("truncated NPY file"), e.getMessage());
    }

    @Test
    void rejectsMoreThanAJavaArrayHoldsEvenWhenTheFileHasTheBytes() throws Exception {
        long elements = 1L << 31;
        Path f = sparseNpy(elements);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("more than the " + Tensor.MAX_ELEMENTS + " a Java array can hold"),
                e.getMessage());
    }

    @Test
    void rejectsMoreThanTheHeapHoldsEvenWhenTheFileHasTheBytes() throws Exception {
        long elements = Tensor.MAX_ELEMENTS;
        Assumptions.assumeTrue(4 * elements > Runtime.getRuntime().maxMemory(), "the heap could hold 8 GiB");
        Path f = sparseNpy(elements);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("but the Java heap is at most"), e.getMessage());
    }

    @Test
    void rejectsFilesThatAreNotNpyShowingTheirFirstBytes() throws Exception {
        Path png = dir.resolve("image.npy");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0});
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(png));
        assertEquals("not an NPY file: first bytes are b'\\x89PNG\\r\\n\\x1a\\n', expected \\x93NUMPY", e.getMessage());

        Path empty = Files.write(dir.resolve("empty.npy"), new byte[0]);
        e = assertThrows(NpyFormatException.class, () -> Npy.read(empty));
        assertEquals("not an NPY file: it is empty", e.getMessage());

        Path tiny = Files.write(dir.resolve("tiny.npy"), new byte[] {(byte) 0x93, 'N', 'U'});
        e = assertThrows(NpyFormatException.class, () -> Npy.read(tiny));
        assertTrue(e.getMessage().startsWith("not an NPY file: first bytes are b'\\x93NU'"), e.getMessage());
    }

    @Test
    void rejectsUnsupportedVersions() throws Exception {
        Path f = npy(1, BASE_HEADER, le(base()));
        byte[] bytes = Files.readAllBytes(f);
        bytes[6] = 4;
        Files.write(f, bytes);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("unsupported NPY format version 4.0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 9, 40, 200})
    void rejectsTruncatedFiles(int keptBytes) throws Exception {
        byte[] whole = Files.readAllBytes(fixture("fortran-big.npy"));
        Path cut = Files.write(dir.resolve("cut.npy"), Arrays.copyOf(whole, keptBytes));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("truncated NPY file"), e.getMessage());
    }

    @Test
    void rejectsAVersion3HeaderThatIsNotUtf8() throws Exception {
        byte[] header = (BASE_HEADER + " ").getBytes(StandardCharsets.ISO_8859_1);
        header[header.length - 1] = (byte) 0xff;
        Path f = npyBytes(3, header, le(base()));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("must be UTF-8"), e.getMessage());
    }

    private static byte[] le(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    private Path npy(int major, String header, byte[] data) throws IOException {
        return npyBytes(major, (header + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1),
                data);
    }

    /** A file with the given preamble version, header bytes (unpadded: the reader must not need alignment) and data. */
    private Path npyBytes(int major, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) header.length);
        } else {
            b.putInt(header.length);
        }
        b.put(header).put(data);
        Path f = Files.createTempFile(dir, "hand-made", ".npy");
        Files.write(f, Arrays.copyOf(b.array(), b.position()));
        return f;
    }

    /** A float32 vector file whose data is a hole: the file system reports the full size without storing it. */
    private Path sparseNpy(long elements) throws IOException {
        Path f = npy(1, BASE_HEADER.replace("(2, 3, 4)", "(" + elements + ",)"), new byte[0]);
        try (RandomAccessFile file = new RandomAccessFile(f.toFile(), "rw")) {
            file.setLength(file.length() + 4 * elements);
        }
        return f;
    }
}

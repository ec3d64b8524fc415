package org.clconv.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.clconv.Shape;
import org.clconv.Tensor;

/**
 * Reads and writes float32 tensors in numpy's {@code .npy} format (versions 1.0, 2.0 and 3.0).
 *
 * <p>Reading accepts float32 in either byte order and in C or Fortran order (returned in C order), and
 * rejects everything else with an {@link NpyFormatException} naming what was found. All sizes are checked
 * against the file and the JVM before the data array is allocated, so a corrupt or hostile header cannot
 * trigger a huge allocation. Writing produces what {@code np.save} writes for a C-order little-endian
 * float32 array, atomically.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic, two version bytes and a 2-byte (version 1) or 4-byte (versions 2, 3) header length. */
    private static final int PREFIX_V1 = MAGIC.length + 2 + 2;
    private static final int PREFIX_V2 = MAGIC.length + 2 + 4;
    /** numpy aligns the data to 64 bytes so that it can be memory-mapped. */
    private static final int ALIGNMENT = 64;
    /** Real headers are around 100 bytes; anything this large is corrupt and is not worth allocating for. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int CHUNK_BYTES = 1 << 20;

    private Npy() {
    }

    /** Reads a float32 array of any rank (rank 0 included) as a C-order tensor. */
    public static Tensor read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            NpyHeader header = readHeader(channel);
            Shape shape = checkedShape(header.shape(), channel.size() - channel.position());
            float[] data = new float[Math.toIntExact(shape.numel())];
            readData(channel, header.byteOrder(), header.fortranOrder() ? shape.toArray() : null, data);
            return new Tensor(shape, data);
        }
    }

    /**
     * Writes {@code tensor} as little-endian C-order float32, format 1.0 (2.0 only if the header needs it).
     * The data goes to a temporary file in the same folder, which is then renamed over {@code path}, so
     * {@code path} either keeps its old content or gets the whole new file, never a partial one.
     */
    public static void write(Path path, Tensor tensor) throws IOException {
        Path target = path.toAbsolutePath();
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new NoSuchFileException(String.valueOf(folder), null, "the output folder does not exist");
        }
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(channel, ByteBuffer.wrap(headerBytes(tensor.shape())));
                writeData(channel, tensor.data());
                channel.force(false);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Reads and parses the header, leaving the channel at the first data byte. */
    private static NpyHeader readHeader(FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX_V2).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix);
        checkMagic(prefix, fileSize);
        if (prefix.remaining() < MAGIC.length + 2) {
            throw new NpyFormatException("truncated NPY file: " + fileSize + " bytes, too short for the version");
        }
        int major = Byte.toUnsignedInt(prefix.get(MAGIC.length));
        int minor = Byte.toUnsignedInt(prefix.get(MAGIC.length + 1));
        if ((major < 1 || major > 3) || minor != 0) {
            throw new NpyFormatException("unsupported NPY format version " + major + "." + minor
                    + " (clconv reads 1.0, 2.0 and 3.0)");
        }
        int prefixLength = major == 1 ? PREFIX_V1 : PREFIX_V2;
        if (fileSize < prefixLength) {
            throw new NpyFormatException("truncated NPY file: " + fileSize + " bytes, too short for the "
                    + prefixLength + "-byte version " + major + ".0 preamble");
        }
        long headerLength = major == 1 ? Short.toUnsignedInt(prefix.getShort(MAGIC.length + 2))
                : Integer.toUnsignedLong(prefix.getInt(MAGIC.length + 2));
        if (prefixLength + headerLength > fileSize) {
            throw new NpyFormatException("truncated NPY file: the header declares " + headerLength
                    + " bytes but the file has only " + (fileSize - prefixLength) + " after the preamble");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException("NPY header length " + headerLength + " is larger than the "
                    + MAX_HEADER_BYTES + " bytes clconv accepts");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        channel.position(prefixLength);
        readFully(channel, header);
        return NpyHeader.parse(decodeHeader(header, major));
    }

    private static void checkMagic(ByteBuffer prefix, long fileSize) throws NpyFormatException {
        if (fileSize == 0) {
            throw new NpyFormatException("not an NPY file: it is empty");
        }
        byte[] first = new byte[Math.min(prefix.remaining(), 8)];
        prefix.get(0, first);
        if (first.length < MAGIC.length || !Arrays.equals(first, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new NpyFormatException("not an NPY file: first bytes are " + describeBytes(first)
                    + ", expected \\x93NUMPY");
        }
    }

    /** Version 3.0 exists only to allow UTF-8 in the header; 1.0 and 2.0 headers are Latin-1 (numpy's reading). */
    private static String decodeHeader(ByteBuffer header, int major) throws NpyFormatException {
        if (major < 3) {
            return StandardCharsets.ISO_8859_1.decode(header).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(header).toString();
        } catch (CharacterCodingException e) {
            throw new NpyFormatException("malformed NPY header: a version 3.0 header must be UTF-8");
        }
    }

    /**
     * The tensor shape for the declared dims, checked in this order so that the clearest reason wins: the
     * data the shape needs against the bytes the file holds, then against what a Java array and the heap
     * can hold.
     */
    private static Shape checkedShape(long[] dims, long dataBytes) throws NpyFormatException {
        String declared = "declared shape " + NpyHeader.pythonTuple(dims);
        long numel = 1;
        long needed;
        try {
            for (long d : dims) {
                if (d == 0) {
                    throw new NpyFormatException(declared + " is empty; clconv tensors need every dimension >= 1");
                }
                numel = Math.multiplyExact(numel, d);
            }
            needed = Math.multiplyExact(4, numel);
        } catch (ArithmeticException e) {
            throw new NpyFormatException("truncated NPY file: " + declared + " of float32 needs more than "
                    + Long.MAX_VALUE + " bytes of data but the file has " + dataBytes + " after the header");
        }
        if (needed > dataBytes) {
            throw new NpyFormatException("truncated NPY file: " + declared + " of float32 needs " + needed
                    + " bytes of data but the file has " + dataBytes + " after the header");
        }
        if (needed < dataBytes) {
            throw new NpyFormatException("NPY file has " + dataBytes + " bytes of data after the header but the "
                    + declared + " of float32 needs " + needed + "; the header does not describe the data");
        }
        if (numel > Tensor.MAX_ELEMENTS) {
            throw new NpyFormatException(declared + " has " + numel + " elements, more than the "
                    + Tensor.MAX_ELEMENTS + " a Java array can hold");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (needed > heap) {
            throw new NpyFormatException(declared + " needs " + (needed >> 20) + " MiB but the Java heap is at most "
                    + (heap >> 20) + " MiB; raise it with -Xmx");
        }
        int[] intDims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            intDims[i] = (int) dims[i];
        }
        return Shape.of(intDims);
    }

    /**
     * Streams the data into {@code out} in C order. {@code fortranDims} is null for C-order data; otherwise
     * the file holds the array with the first axis varying fastest, and each value is placed at its C index.
     */
    private static void readData(FileChannel channel, ByteOrder order, int[] fortranDims, float[] out)
            throws IOException {
        FortranToCIndex fortran = fortranDims == null ? null : new FortranToCIndex(fortranDims);
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK_BYTES).order(order);
        int filled = 0;
        while (filled < out.length) {
            if (channel.read(bytes) < 0) {
                throw new NpyFormatException("truncated NPY file: it ended after " + filled + " of " + out.length
                        + " values");
            }
            bytes.flip();
            FloatBuffer floats = bytes.asFloatBuffer();
            int n = Math.min(floats.remaining(), out.length - filled);
            if (fortran == null) {
                floats.get(out, filled, n);
            } else {
                for (int i = 0; i < n; i++) {
                    out[fortran.next()] = floats.get(i);
                }
            }
            filled += n;
            bytes.position(bytes.position() + 4 * n);
            bytes.compact();
        }
    }

    /** Magic, version, length and the header dict padded with spaces and a newline to the 64-byte alignment. */
    private static byte[] headerBytes(Shape shape) {
        byte[] dict = NpyHeader.format(Arrays.stream(shape.toArray()).asLongStream().toArray())
                .getBytes(StandardCharsets.ISO_8859_1);
        boolean version1 = alignedLength(PREFIX_V1, dict.length) - PREFIX_V1 <= 0xFFFF;
        int prefixLength = version1 ? PREFIX_V1 : PREFIX_V2;
        int total = alignedLength(prefixLength, dict.length);
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (version1 ? 1 : 2)).put((byte) 0);
        if (version1) {
            b.putShort((short) (total - prefixLength));
        } else {
            b.putInt(total - prefixLength);
        }
        b.put(dict);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** The preamble, the dict and its closing newline, rounded up to the alignment. */
    private static int alignedLength(int prefixLength, int dictLength) {
        return (prefixLength + dictLength + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeData(FileChannel channel, float[] data) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int offset = 0; offset < data.length; ) {
            int n = Math.min(CHUNK_BYTES / 4, data.length - offset);
            bytes.clear();
            bytes.asFloatBuffer().put(data, offset, n);
            bytes.limit(4 * n);
            writeFully(channel, bytes);
            offset += n;
        }
    }

    /** Fills {@code bytes} or stops at the end of the file (a read may return fewer bytes than asked); flips it. */
    private static void readFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        int read;
        do {
            read = channel.read(bytes);
        } while (read >= 0 && bytes.hasRemaining());
        bytes.flip();
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Shows bytes the way Python prints them, e.g. {@code b'\x89PNG\r\n'}, so a user can recognise the format. */
    private static String describeBytes(byte[] bytes) {
        StringBuilder s = new StringBuilder("b'");
        for (byte value : bytes) {
            int c = Byte.toUnsignedInt(value);
            if (c == '\r') {
                s.append("\\r");
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.append('\'').toString();
    }
}

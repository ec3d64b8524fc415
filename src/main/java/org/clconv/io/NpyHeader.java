package org.clconv.io;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dict of an NPY header ({@code descr}, {@code fortran_order}, {@code shape}), checked to describe a
 * float32 array: parsing it rejects every other dtype with a message saying what was found.
 */
final class NpyHeader {
    static final String FLOAT32_ADVICE = "save as float32, e.g. np.save(path, a.astype(np.float32))";

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
    /** A simple dtype string: optional byte order, kind letter, optional item size, e.g. {@code <f4}, {@code |b1}, {@code |O}. */
    private static final Pattern SIMPLE_DTYPE = Pattern.compile("([<>=|]?)([a-zA-Z])(\\d{0,4})(.*)");

    private final ByteOrder byteOrder;
    private final boolean fortranOrder;
    private final long[] shape;

    private NpyHeader(ByteOrder byteOrder, boolean fortranOrder, long[] shape) {
        this.byteOrder = byteOrder;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    static NpyHeader parse(String text) throws NpyFormatException {
        Map<String, Object> dict = PythonLiteral.parseDict(text);
        if (!dict.keySet().equals(KEYS)) {
            throw new NpyFormatException("malformed NPY header: keys must be exactly " + KEYS + ", got "
                    + dict.keySet());
        }
        Object order = dict.get("fortran_order");
        if (!(order instanceof Boolean)) {
            throw new NpyFormatException("malformed NPY header: fortran_order must be True or False, got " + order);
        }
        return new NpyHeader(float32ByteOrder(dict.get("descr")), (Boolean) order, shape(dict.get("shape")));
    }

    /** The header text numpy would write for a little-endian C-order float32 array (without padding). */
    static String format(long[] shape) {
        return "{'descr': '<f4', 'fortran_order': False, 'shape': " + pythonTuple(shape) + ", }";
    }

    /** A shape as Python prints it: {@code ()}, {@code (5,)} (a 1-tuple needs its comma), {@code (2, 3)}. */
    static String pythonTuple(long[] dims) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return s.append(dims.length == 1 ? ",)" : ")").toString();
    }

    ByteOrder byteOrder() {
        return byteOrder;
    }

    boolean fortranOrder() {
        return fortranOrder;
    }

    long[] shape() {
        return shape.clone();
    }

    private static ByteOrder float32ByteOrder(Object descr) throws NpyFormatException {
        if (!(descr instanceof String)) {
            throw new NpyFormatException("structured dtype " + descr + " is not supported: clconv reads plain "
                    + "float32 arrays");
        }
        String d = (String) descr;
        Matcher m = SIMPLE_DTYPE.matcher(d);
        if (!m.matches()) {
            throw new NpyFormatException("malformed NPY header: descr '" + d + "' is not a dtype");
        }
        String orderChar = m.group(1);
        String kind = m.group(2);
        if (!(kind.equals("f") && m.group(3).equals("4") && m.group(4).isEmpty())) {
            throw new NpyFormatException("dtype '" + d + "' (" + describe(kind, m.group(3)) + ") is not supported: "
                    + "clconv reads float32 only; " + FLOAT32_ADVICE);
        }
        switch (orderChar) {
            case "<":
                return ByteOrder.LITTLE_ENDIAN;
            case ">":
                return ByteOrder.BIG_ENDIAN;
            case "|":
                throw new NpyFormatException("dtype '" + d + "' is invalid: byte order '|' (not applicable) is only "
                        + "for one-byte types; a float32 needs '<' or '>'");
            default:
                // '=' and no prefix both mean the native order of the machine reading it, as numpy does.
                return ByteOrder.nativeOrder();
        }
    }

    private static String describe(String kind, String size) {
        String bits = size.isEmpty() ? "" : Integer.toString(8 * Integer.parseInt(size));
        switch (kind) {
            case "f":
                return "float" + bits;
            case "i":
                return "int" + bits;
            case "u":
                return "uint" + bits;
            case "b":
                return "bool";
            case "c":
                return "complex" + bits;
            case "O":
                return "object";
            case "U":
            case "S":
            case "a":
                return "string";
            case "M":
            case "m":
                return "datetime";
            default:
                return "kind '" + kind + "'";
        }
    }

    private static long[] shape(Object value) throws NpyFormatException {
        if (!(value instanceof List)) {
            throw new NpyFormatException("malformed NPY header: shape must be a tuple of integers, got " + value);
        }
        List<?> items = (List<?>) value;
        long[] dims = new long[items.size()];
        for (int i = 0; i < dims.length; i++) {
            Object item = items.get(i);
            if (!(item instanceof Long) || (Long) item < 0) {
                throw new NpyFormatException("malformed NPY header: shape must be a tuple of non-negative integers, "
                        + "got " + value);
            }
            dims[i] = (Long) item;
        }
        return dims;
    }
}

package org.clconv;

import java.util.Locale;

/**
 * The {@code padding} argument of {@code torch.nn.Conv2d}: explicit (height, width) pads, {@code same} or
 * {@code valid}. {@link #resolve} turns it into the four explicit pads the backends use, with PyTorch's rule
 * that an odd total {@code same} padding puts the extra row/column at the bottom/right.
 */
public final class Padding {
    private enum Kind { EXPLICIT, SAME, VALID }

    private static final Padding SAME = new Padding(Kind.SAME, 0, 0);
    private static final Padding VALID = new Padding(Kind.VALID, 0, 0);

    private final Kind kind;
    private final int height;
    private final int width;

    private Padding(Kind kind, int height, int width) {
        this.kind = kind;
        this.height = height;
        this.width = width;
    }

    /** Explicit symmetric pads: {@code height} rows above and below, {@code width} columns left and right. */
    public static Padding of(int height, int width) {
        if (height < 0 || width < 0) {
            throw new InvalidConvolutionException(
                    "padding must be non-negative, got (" + height + ", " + width + ")");
        }
        return new Padding(Kind.EXPLICIT, height, width);
    }

    public static Padding of(int both) {
        return of(both, both);
    }

    public static Padding same() {
        return SAME;
    }

    public static Padding valid() {
        return VALID;
    }

    /** Parses {@code same}, {@code valid}, {@code a} or {@code a,b} (height,width). */
    public static Padding parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("same")) {
            return SAME;
        }
        if (t.equals("valid")) {
            return VALID;
        }
        int[] pair = IntPair.parse("padding", t);
        return of(pair[0], pair[1]);
    }

    public boolean isSame() {
        return kind == Kind.SAME;
    }

    /** {@code same} or {@code valid}: pads named by a rule rather than given as numbers. */
    public boolean isNamed() {
        return kind != Kind.EXPLICIT;
    }

    /**
     * The four pads {top, bottom, left, right} for a kernel of the given size and dilation.
     * {@code same} pads {@code dilation*(kernel-1)} in total, the odd one at the bottom/right.
     */
    int[] resolve(int kernelH, int kernelW, int dilationH, int dilationW) {
        switch (kind) {
            case SAME: {
                int totalH = dilationH * (kernelH - 1);
                int totalW = dilationW * (kernelW - 1);
                return new int[] {totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2};
            }
            case VALID:
                return new int[] {0, 0, 0, 0};
            default:
                return new int[] {height, height, width, width};
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case SAME:
                return "same";
            case VALID:
                return "valid";
            default:
                return height == width ? Integer.toString(height) : height + "," + width;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Padding && ((Padding) o).kind == kind && ((Padding) o).height == height
                && ((Padding) o).width == width;
    }

    @Override
    public int hashCode() {
        return (kind.ordinal() * 31 + height) * 31 + width;
    }
}

package org.clconv;

import java.util.Locale;

/**
 * PyTorch's {@code padding_mode}: what the taps that fall outside the input read.
 * The backends never materialise a padded copy; they map each padded coordinate back into the input
 * with {@link #sourceIndex}.
 */
public enum PaddingMode {
    /** Out-of-range taps read 0. */
    ZEROS,
    /** Mirror without repeating the edge: index -1 reads 1. PyTorch requires pad &lt; size. */
    REFLECT,
    /** Clamp to the edge. Any padding is allowed. */
    REPLICATE,
    /** Wrap around. PyTorch requires pad &lt;= size. */
    CIRCULAR;

    /**
     * Maps a coordinate of the padded input (the input's own coordinates, i.e. may be negative or
     * &gt;= size) to the input index it reads, or -1 for a zero tap. Valid only for pads accepted by
     * {@link ConvGeometry}: at most one reflection or wrap is ever needed.
     */
    public int sourceIndex(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        switch (this) {
            case REFLECT:
                return i < 0 ? -i : 2 * (size - 1) - i;
            case REPLICATE:
                return i < 0 ? 0 : size - 1;
            case CIRCULAR:
                return i < 0 ? i + size : i - size;
            default:
                return -1;
        }
    }

    public static PaddingMode parse(String name) {
        for (PaddingMode m : values()) {
            if (m.name().equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new InvalidConvolutionException(
                "padding_mode must be one of zeros, reflect, replicate, circular, got '" + name + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

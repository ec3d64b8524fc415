package org.clconv;

/** The activation fused after bias: PyTorch's {@code relu} and {@code relu6}, or none. */
public enum Activation {
    NONE,
    RELU,
    RELU6;

    /**
     * Applies the activation the way PyTorch does: {@code relu(NaN)} and {@code relu6(NaN)} stay NaN
     * (PyTorch propagates NaN through clamp), so a NaN input is never hidden as 0.
     */
    public float apply(float x) {
        switch (this) {
            case RELU:
                return x < 0f ? 0f : x;
            case RELU6:
                return x < 0f ? 0f : (x > 6f ? 6f : x);
            default:
                return x;
        }
    }

    /** Parses the CLI / config spelling ({@code none}, {@code relu}, {@code relu6}), case-insensitively. */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.name().equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new InvalidConvolutionException("activation must be one of none, relu, relu6, got '" + name + "'");
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

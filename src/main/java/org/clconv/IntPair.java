package org.clconv;

/** Parses the {@code a} or {@code a,b} (height,width) spelling shared by stride, padding and dilation (library and CLI). */
public final class IntPair {
    private IntPair() {
    }

    public static int[] parse(String parameter, String text) {
        String[] parts = text.trim().split("\\s*,\\s*", -1);
        if (parts.length < 1 || parts.length > 2) {
            throw new InvalidConvolutionException(
                    parameter + " must be 'a' or 'a,b' (height,width), got '" + text + "'");
        }
        try {
            int h = Integer.parseInt(parts[0].trim());
            int w = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : h;
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new InvalidConvolutionException(
                    parameter + " must be 'a' or 'a,b' of integers (height,width), got '" + text + "'");
        }
    }
}

package org.clconv.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The output plane cut into rectangles inside which the same kernel taps read the input and the others read
 * only padding zeros: the product of the row runs with a constant set of valid row taps and the column runs
 * with a constant set of valid column taps. A region computes only its valid taps, so no multiply-add is spent
 * on padding (dilated ASPP layers on small maps would waste 23-60% of them). With non-zero padding modes every
 * tap reads some input and the whole plane is one region.
 */
final class TapRegions {
    /** Rows [y0, y1) x columns [x0, x1), and its valid taps (ky*kw + kx, ascending) grouped in consecutive runs. */
    static final class Region {
        final int y0;
        final int y1;
        final int x0;
        final int x1;
        final int[] taps;
        /** Runs of consecutive tap indices: run r covers taps[runStart[r] .. runStart[r] + runLength[r]). */
        final int[] runStart;
        final int[] runLength;

        Region(int y0, int y1, int x0, int x1, int[] taps) {
            this.y0 = y0;
            this.y1 = y1;
            this.x0 = x0;
            this.x1 = x1;
            this.taps = taps;
            List<int[]> runs = new ArrayList<>();
            for (int i = 0; i < taps.length; i++) {
                if (i > 0 && taps[i] == taps[i - 1] + 1) {
                    runs.get(runs.size() - 1)[1]++;
                } else {
                    runs.add(new int[] {i, 1});
                }
            }
            this.runStart = runs.stream().mapToInt(r -> r[0]).toArray();
            this.runLength = runs.stream().mapToInt(r -> r[1]).toArray();
        }

        int width() {
            return x1 - x0;
        }

        int positions() {
            return (y1 - y0) * width();
        }
    }

    private record Segment(int from, int to, int[] taps) {
    }

    private TapRegions() {
    }

    /** The regions of a layer's output; regions without any valid tap are included (they are bias only). */
    static List<Region> of(AxisTaps rows, AxisTaps cols, int kernelH, int kernelW) {
        List<Region> regions = new ArrayList<>();
        for (Segment r : segments(rows, kernelH)) {
            for (Segment c : segments(cols, kernelW)) {
                int[] taps = new int[r.taps.length * c.taps.length];
                int i = 0;
                for (int ky : r.taps) {
                    for (int kx : c.taps) {
                        taps[i++] = ky * kernelW + kx;
                    }
                }
                regions.add(new Region(r.from, r.to, c.from, c.to, taps));
            }
        }
        return regions;
    }

    private static List<Segment> segments(AxisTaps axis, int kernel) {
        List<Segment> segments = new ArrayList<>();
        int[] current = null;
        int from = 0;
        for (int o = 0; o < axis.outSize(); o++) {
            int[] valid = validTaps(axis, kernel, o);
            if (current != null && !Arrays.equals(current, valid)) {
                segments.add(new Segment(from, o, current));
                from = o;
            }
            current = valid;
        }
        segments.add(new Segment(from, axis.outSize(), current));
        return segments;
    }

    private static int[] validTaps(AxisTaps axis, int kernel, int o) {
        int[] valid = new int[kernel];
        int n = 0;
        for (int k = 0; k < kernel; k++) {
            if (axis.source(k, o) >= 0) {
                valid[n++] = k;
            }
        }
        return Arrays.copyOf(valid, n);
    }
}

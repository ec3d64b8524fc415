package org.clconv.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where one timed layer sits under its device's roofline: its arithmetic intensity against the ridge point
 * says which ceiling bounds it, and the percentages say how close it gets to each ceiling and to the roof
 * (the lower of the two at its intensity).
 */
public record Roofline(double intensity, double ridgePoint, Bound bound, double percentOfBandwidth,
        double percentOfFma, double percentOfRoof) {

    /** The ceiling that limits a layer of a given arithmetic intensity. */
    public enum Bound {
        MEMORY, COMPUTE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Roofline of(long flops, long minimumBytes, double seconds, Ceilings ceilings) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("a timed layer needs a positive time, got " + seconds + " s");
        }
        double intensity = (double) flops / minimumBytes;
        double ridge = ceilings.ridgePoint();
        Bound bound = intensity < ridge ? Bound.MEMORY : Bound.COMPUTE;
        double bytesPerSecond = minimumBytes / seconds;
        double flopsPerSecond = flops / seconds;
        double roof = Math.min(ceilings.flopsPerSecond(), intensity * ceilings.bytesPerSecond());
        return new Roofline(intensity, ridge, bound, 100 * bytesPerSecond / ceilings.bytesPerSecond(),
                100 * flopsPerSecond / ceilings.flopsPerSecond(), 100 * flopsPerSecond / roof);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intensity_flop_per_byte", intensity);
        out.put("ridge_flop_per_byte", ridgePoint);
        out.put("bound", bound.label());
        out.put("pct_of_bandwidth", percentOfBandwidth);
        out.put("pct_of_fma", percentOfFma);
        out.put("pct_of_roof", percentOfRoof);
        return out;
    }
}

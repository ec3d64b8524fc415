package org.clconv.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device's measured limits: the copy bandwidth (bytes read plus written per second) and the fp32 FMA rate
 * (FLOPs per second, an FMA counting two), with how each was measured.
 */
public record Ceilings(double bytesPerSecond, double flopsPerSecond, String bandwidthMethod, String fmaMethod) {
    public Ceilings {
        if (!(bytesPerSecond > 0) || !(flopsPerSecond > 0)) {
            throw new IllegalArgumentException("ceilings must be positive, got " + bytesPerSecond + " B/s and "
                    + flopsPerSecond + " FLOP/s");
        }
    }

    /** The arithmetic intensity (FLOPs per byte) above which a kernel is bound by the FMA rate, not by bandwidth. */
    public double ridgePoint() {
        return flopsPerSecond / bytesPerSecond;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("copy_gb_per_s", bytesPerSecond / 1e9);
        out.put("fma_gflop_per_s", flopsPerSecond / 1e9);
        out.put("ridge_flop_per_byte", ridgePoint());
        out.put("copy_method", bandwidthMethod);
        out.put("fma_method", fmaMethod);
        return out;
    }
}

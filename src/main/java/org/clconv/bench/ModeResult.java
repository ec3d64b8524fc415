package org.clconv.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The timings of one mode of one layer on one target: wall clock, and the device's timer when it has one. */
public record ModeResult(String mode, Stats wall, Stats device) {
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", mode);
        out.put("wall", wall.toJson());
        if (device != null) {
            out.put("device", device.toJson());
        }
        return out;
    }
}

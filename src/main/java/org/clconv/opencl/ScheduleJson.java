package org.clconv.opencl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A family's schedule as a tuning-cache entry ({@code {"depthwise": {...}}} or {@code {"gemm": {...}}}) and back. */
final class ScheduleJson {
    private ScheduleJson() {
    }

    static Map<String, Object> of(DepthwiseSchedule s) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("layout", s.layout().name().toLowerCase(Locale.ROOT));
        values.put("outputs_x", s.outputsX());
        values.put("outputs_y", s.outputsY());
        values.put("group_x", s.groupX());
        values.put("group_y", s.groupY());
        values.put("tile_x", s.tileX());
        values.put("planes", s.planes());
        return Map.of("depthwise", values);
    }

    static Map<String, Object> of(GemmSchedule s) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("local_tiles", s.localTiles());
        values.put("tile_m", s.tileM());
        values.put("tile_n", s.tileN());
        values.put("tile_k", s.tileK());
        values.put("thread_m", s.threadM());
        values.put("thread_n", s.threadN());
        return Map.of("gemm", values);
    }

    static DepthwiseSchedule depthwise(Map<String, Object> entry) {
        Map<?, ?> v = section(entry, "depthwise");
        return new DepthwiseSchedule(layout(v), integer(v, "outputs_x"), integer(v, "outputs_y"),
                integer(v, "group_x"), integer(v, "group_y"), integer(v, "tile_x"), integer(v, "planes"));
    }

    static GemmSchedule gemm(Map<String, Object> entry) {
        Map<?, ?> v = section(entry, "gemm");
        return new GemmSchedule(bool(v, "local_tiles"), integer(v, "tile_m"), integer(v, "tile_n"),
                integer(v, "tile_k"), integer(v, "thread_m"), integer(v, "thread_n"));
    }

    private static Map<?, ?> section(Map<String, Object> entry, String name) {
        if (!(entry.get(name) instanceof Map<?, ?> values)) {
            throw new IllegalArgumentException("tuning entry " + entry + " has no '" + name + "' object");
        }
        return values;
    }

    private static int integer(Map<?, ?> values, String name) {
        if (!(values.get(name) instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new IllegalArgumentException("tuning entry " + values + ": '" + name + "' must be an integer");
        }
        return n.intValue();
    }

    private static DepthwiseSchedule.Layout layout(Map<?, ?> values) {
        for (DepthwiseSchedule.Layout layout : DepthwiseSchedule.Layout.values()) {
            if (layout.name().toLowerCase(Locale.ROOT).equals(values.get("layout"))) {
                return layout;
            }
        }
        throw new IllegalArgumentException("tuning entry " + values + ": 'layout' must be one of "
                + Arrays.stream(DepthwiseSchedule.Layout.values()).map(l -> l.name().toLowerCase(Locale.ROOT)).toList());
    }

    private static boolean bool(Map<?, ?> values, String name) {
        if (!(values.get(name) instanceof Boolean b)) {
            throw new IllegalArgumentException("tuning entry " + values + ": '" + name + "' must be true or false");
        }
        return b;
    }
}

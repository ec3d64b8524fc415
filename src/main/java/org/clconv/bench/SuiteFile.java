package org.clconv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Shape;

/**
 * The JSON form of a suite, read by {@code --suite FILE} and written into every report (so that the
 * Python peers run exactly the layers clconv ran):
 *
 * <pre>{@code
 * {"name": "mine", "layers": [
 *   {"name": "dw", "input": [1, 32, 112, 112], "out_channels": 32, "kernel": 3, "padding": 1, "groups": 32},
 *   {"name": "sep", "input": [1, 256, 28, 28], "separable": [
 *       {"out_channels": 256, "kernel": 3, "padding": 1, "groups": 256}, {"out_channels": 256, "kernel": 1}]}
 * ]}
 * }</pre>
 *
 * A convolution's keys: {@code out_channels} (required), {@code kernel}, {@code stride}, {@code dilation}
 * (a number or {@code [h, w]}), {@code padding} (a number, {@code [h, w]}, {@code "same"} or {@code "valid"}),
 * {@code groups}, {@code bias}, {@code padding_mode}, {@code activation}; PyTorch's defaults apply, and
 * {@code in_channels} follows from the input (or the previous stage).
 */
public final class SuiteFile {
    private static final Set<String> SPEC_KEYS = Set.of("in_channels", "out_channels", "kernel", "stride", "padding",
            "dilation", "groups", "bias", "padding_mode", "activation");
    private static final Set<String> LAYER_KEYS = Set.of("name", "input", "separable");

    private SuiteFile() {
    }

    public static Suite read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text, file.getFileName().toString().replaceFirst("\\.json$", ""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("suite file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a suite; {@code defaultName} names it when the file has no {@code name}. */
    public static Suite parse(String json, String defaultName) {
        Map<String, Object> root = asObject(Json.parse(json), "the suite");
        Object name = root.getOrDefault("name", defaultName);
        List<Object> entries = asList(root.get("layers"), "'layers'");
        List<BenchLayer> layers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, Object> entry = asObject(entries.get(i), "layer #" + i);
            try {
                layers.add(layer(entry));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("layer #" + i + " (" + entry.get("name") + "): " + e.getMessage(), e);
            }
        }
        return new Suite(String.valueOf(name), layers);
    }

    private static BenchLayer layer(Map<String, Object> entry) {
        String name = asString(entry.get("name"), "'name'");
        rejectUnknownKeys(entry, entry.containsKey("separable") ? Set.of() : SPEC_KEYS);
        Shape input = Shape.of(intList(entry.get("input"), "'input'", 4));
        if (entry.containsKey("separable")) {
            List<Object> stages = asList(entry.get("separable"), "'separable'");
            if (stages.size() != 2) {
                throw new IllegalArgumentException("'separable' must list two stages (depthwise, pointwise), got "
                        + stages.size());
            }
            Conv2d depthwise = spec(asObject(stages.get(0), "the depthwise stage"), input.dim(1));
            Conv2d pointwise = spec(asObject(stages.get(1), "the pointwise stage"), depthwise.outChannels());
            return BenchLayer.separable(name, input, depthwise, pointwise);
        }
        return BenchLayer.conv(name, input, spec(entry, input.dim(1)));
    }

    /** A misspelt key would silently fall back to a default and benchmark another layer, so it is an error. */
    private static void rejectUnknownKeys(Map<String, Object> fields, Set<String> allowed) {
        for (String key : fields.keySet()) {
            if (!allowed.contains(key) && !LAYER_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; a layer has " + LAYER_KEYS
                        + " and a convolution " + SPEC_KEYS);
            }
        }
    }

    private static Conv2d spec(Map<String, Object> fields, int inChannels) {
        rejectUnknownKeys(fields, SPEC_KEYS);
        if (fields.containsKey("in_channels") && asInt(fields.get("in_channels"), "'in_channels'") != inChannels) {
            throw new IllegalArgumentException("'in_channels' is " + fields.get("in_channels") + " but the input to "
                    + "this stage has " + inChannels + " channels");
        }
        int[] kernel = pair(fields.getOrDefault("kernel", 1.0), "'kernel'");
        Conv2d.Builder b = Conv2d.builder(inChannels, asInt(fields.get("out_channels"), "'out_channels'"), kernel[0], kernel[1]);
        if (fields.containsKey("stride")) {
            int[] stride = pair(fields.get("stride"), "'stride'");
            b.stride(stride[0], stride[1]);
        }
        if (fields.containsKey("dilation")) {
            int[] dilation = pair(fields.get("dilation"), "'dilation'");
            b.dilation(dilation[0], dilation[1]);
        }
        if (fields.containsKey("padding")) {
            Object p = fields.get("padding");
            if (p instanceof String) {
                b.padding(Padding.parse((String) p));
            } else {
                int[] padding = pair(p, "'padding'");
                b.padding(padding[0], padding[1]);
            }
        }
        if (fields.containsKey("groups")) {
            b.groups(asInt(fields.get("groups"), "'groups'"));
        }
        if (fields.containsKey("bias")) {
            Object bias = fields.get("bias");
            if (!(bias instanceof Boolean)) {
                throw new IllegalArgumentException("'bias' must be true or false, got " + bias);
            }
            b.bias((Boolean) bias);
        }
        if (fields.containsKey("padding_mode")) {
            b.paddingMode(PaddingMode.parse(asString(fields.get("padding_mode"), "'padding_mode'")));
        }
        if (fields.containsKey("activation")) {
            b.activation(Activation.parse(asString(fields.get("activation"), "'activation'")));
        }
        return b.build();
    }

    /** The JSON object of one layer, in the form {@link #parse} reads. */
    public static Map<String, Object> toJson(BenchLayer layer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", layer.name());
        out.put("input", toList(layer.inputShape().toArray()));
        if (layer.isSeparable()) {
            out.put("separable", layer.stages().stream().map(SuiteFile::specJson).toList());
        } else {
            out.putAll(specJson(layer.stages().get(0)));
        }
        return out;
    }

    /** The whole suite, in the form {@link #parse} reads. */
    public static Map<String, Object> toJson(Suite suite) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", suite.name());
        out.put("layers", suite.layers().stream().map(SuiteFile::toJson).toList());
        return out;
    }

    private static Map<String, Object> specJson(Conv2d spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("in_channels", spec.inChannels());
        out.put("out_channels", spec.outChannels());
        out.put("kernel", List.of(spec.kernelH(), spec.kernelW()));
        out.put("stride", List.of(spec.strideH(), spec.strideW()));
        String padding = spec.padding().toString();
        out.put("padding", padding.equals("same") || padding.equals("valid") ? padding
                : List.of(spec.padTop(), spec.padLeft()));
        out.put("dilation", List.of(spec.dilationH(), spec.dilationW()));
        out.put("groups", spec.groups());
        out.put("bias", spec.hasBias());
        out.put("padding_mode", spec.paddingMode().label());
        out.put("activation", spec.activation().label());
        return out;
    }

    static List<Object> toList(int[] values) {
        List<Object> out = new ArrayList<>();
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    private static int[] pair(Object value, String what) {
        if (value instanceof List) {
            return intList(value, what, 2);
        }
        int v = asInt(value, what);
        return new int[] {v, v};
    }

    private static int[] intList(Object value, String what, int size) {
        List<Object> list = asList(value, what);
        if (list.size() != size) {
            throw new IllegalArgumentException(what + " must have " + size + " numbers, got " + list);
        }
        return list.stream().mapToInt(v -> asInt(v, what)).toArray();
    }

    private static int asInt(Object value, String what) {
        if (!(value instanceof Double) || (Double) value != Math.rint((Double) value)
                || Math.abs((Double) value) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be an integer, got " + value);
        }
        return ((Double) value).intValue();
    }

    private static String asString(Object value, String what) {
        if (!(value instanceof String)) {
            throw new IllegalArgumentException(what + " must be a string, got " + value);
        }
        return (String) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a JSON object, got " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value, String what) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(what + " must be a JSON array, got " + value);
        }
        return (List<Object>) value;
    }
}

package org.clconv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * clconv's backends side by side with peer runtimes on the same layers: per layer the time of each, the best
 * peer and the ratio clconv / best peer (below 1 means clconv is faster), and per clconv backend the geometric
 * mean and the worst of those ratios. A time that is missing (a failure, a peer that cannot run the layer)
 * leaves its ratio out, and the report says how many layers each mean covers.
 */
public final class PeerComparison {
    private final List<String> layers;
    private final List<String> backends;
    private final List<String> peers;
    private final Map<String, Double> seconds = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();

    public PeerComparison(List<String> layers, List<String> backends, List<String> peers) {
        this.layers = List.copyOf(layers);
        this.backends = List.copyOf(backends);
        this.peers = List.copyOf(peers);
    }

    public void put(String layer, String target, double timeSeconds) {
        if (!(timeSeconds > 0)) {
            throw new IllegalArgumentException("time of " + layer + " on " + target + " must be positive, got "
                    + timeSeconds);
        }
        seconds.put(key(layer, target), timeSeconds);
    }

    public void fail(String layer, String target, String why) {
        failures.put(key(layer, target), why);
    }

    public OptionalDouble time(String layer, String target) {
        Double t = seconds.get(key(layer, target));
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t);
    }

    /** The fastest peer's time on a layer, if any peer ran it. */
    public OptionalDouble bestPeer(String layer) {
        return peers.stream().map(p -> time(layer, p)).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).min();
    }

    public OptionalDouble ratio(String layer, String backend) {
        OptionalDouble mine = time(layer, backend);
        OptionalDouble best = bestPeer(layer);
        return mine.isPresent() && best.isPresent() ? OptionalDouble.of(mine.getAsDouble() / best.getAsDouble())
                : OptionalDouble.empty();
    }

    /** The geometric mean of a backend's ratios over the layers where it and some peer have a time. */
    public OptionalDouble geometricMean(String backend) {
        double[] logs = ratios(backend).stream().mapToDouble(Math::log).toArray();
        return logs.length == 0 ? OptionalDouble.empty()
                : OptionalDouble.of(Math.exp(Arrays.stream(logs).sum() / logs.length));
    }

    public OptionalDouble worstRatio(String backend) {
        return ratios(backend).stream().mapToDouble(Double::doubleValue).max();
    }

    private List<Double> ratios(String backend) {
        List<Double> out = new ArrayList<>();
        for (String layer : layers) {
            ratio(layer, backend).ifPresent(out::add);
        }
        return out;
    }

    public String markdown() {
        List<String> header = new ArrayList<>(List.of("layer"));
        backends.forEach(b -> header.add(b + " ms"));
        peers.forEach(p -> header.add(p + " ms"));
        backends.forEach(b -> header.add(b + " / best peer"));
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(String[]::new));
        for (String layer : layers) {
            List<String> row = new ArrayList<>(List.of(layer));
            backends.forEach(b -> row.add(cell(layer, b)));
            peers.forEach(p -> row.add(cell(layer, p)));
            backends.forEach(b -> row.add(format(ratio(layer, b), "%.2f")));
            rows.add(row.toArray(String[]::new));
        }
        rows.add(summaryRow("geometric mean", header.size(), b -> format(geometricMean(b), "%.2f")));
        rows.add(summaryRow("worst layer", header.size(), b -> format(worstRatio(b), "%.2f")));
        StringBuilder out = new StringBuilder(MarkdownReport.table(rows));
        for (String layer : layers) {
            for (String target : concat(backends, peers)) {
                String why = failures.get(key(layer, target));
                if (why != null) {
                    out.append("\n- ").append(layer).append(" on ").append(target).append(": ").append(why);
                }
            }
        }
        return out.append(failures.isEmpty() ? "" : "\n").toString();
    }

    private String[] summaryRow(String label, int columns, Function<String, String> value) {
        String[] row = new String[columns];
        Arrays.fill(row, "");
        row[0] = label;
        for (int i = 0; i < backends.size(); i++) {
            row[columns - backends.size() + i] = value.apply(backends.get(i));
        }
        return row;
    }

    private String cell(String layer, String target) {
        if (failures.containsKey(key(layer, target))) {
            return "FAILED";
        }
        OptionalDouble t = time(layer, target);
        return t.isPresent() ? String.format(Locale.ROOT, "%.3f", t.getAsDouble() * 1e3) : "–";
    }

    private static String format(OptionalDouble value, String pattern) {
        return value.isPresent() ? String.format(Locale.ROOT, pattern, value.getAsDouble()) : "–";
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("backends", backends);
        out.put("peers", peers);
        List<Object> rows = new ArrayList<>();
        for (String layer : layers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", layer);
            Map<String, Object> times = new LinkedHashMap<>();
            for (String target : concat(backends, peers)) {
                OptionalDouble t = time(layer, target);
                times.put(target, t.isPresent() ? t.getAsDouble() * 1e3 : null);
            }
            row.put("median_ms", times);
            Map<String, Object> ratios = new LinkedHashMap<>();
            backends.forEach(b -> ratios.put(b, ratio(layer, b).isPresent() ? ratio(layer, b).getAsDouble() : null));
            row.put("ratio_to_best_peer", ratios);
            Map<String, Object> failed = new LinkedHashMap<>();
            for (String target : concat(backends, peers)) {
                if (failures.containsKey(key(layer, target))) {
                    failed.put(target, failures.get(key(layer, target)));
                }
            }
            if (!failed.isEmpty()) {
                row.put("failures", failed);
            }
            rows.add(row);
        }
        out.put("layers", rows);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String b : backends) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("geometric_mean_ratio", geometricMean(b).isPresent() ? geometricMean(b).getAsDouble() : null);
            s.put("worst_ratio", worstRatio(b).isPresent() ? worstRatio(b).getAsDouble() : null);
            s.put("layers_compared", ratios(b).size());
            summary.put(b, s);
        }
        out.put("summary", summary);
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String key(String layer, String target) {
        return layer + '\u0000' + target;
    }
}

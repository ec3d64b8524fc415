package org.clconv.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A named, ordered list of benchmark layers. */
public final class Suite {
    private final String name;
    private final List<BenchLayer> layers;

    public Suite(String name, List<BenchLayer> layers) {
        this.name = name;
        this.layers = List.copyOf(layers);
        long distinct = this.layers.stream().map(BenchLayer::name).distinct().count();
        if (distinct != this.layers.size()) {
            throw new IllegalArgumentException("suite '" + name + "' has duplicate layer names");
        }
    }

    public String name() {
        return name;
    }

    public List<BenchLayer> layers() {
        return layers;
    }

    /**
     * The layers whose name matches any of the comma-separated patterns ({@code *} is a wildcard, case is
     * ignored); a filter that matches nothing is an error naming the layers there are.
     */
    public Suite filter(String patterns) {
        List<Pattern> compiled = Arrays.stream(patterns.split(","))
                .map(String::trim)
                .filter(p -> !p.isEmpty())
                .map(Suite::globToRegex)
                .toList();
        List<BenchLayer> kept = layers.stream()
                .filter(l -> compiled.stream().anyMatch(p -> p.matcher(l.name().toLowerCase(Locale.ROOT)).matches()))
                .toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("--layers '" + patterns + "' matches no layer of suite '" + name
                    + "'; its layers are " + layers.stream().map(BenchLayer::name).toList());
        }
        return new Suite(name, kept);
    }

    private static Pattern globToRegex(String glob) {
        return Pattern.compile(Arrays.stream(glob.toLowerCase(Locale.ROOT).split("\\*", -1))
                .map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }
}

package org.clconv.bench;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one bench run measured, with what is needed to reproduce it. */
public record BenchReport(Suite suite, TimingPolicy policy, long seed, int threads, List<? extends BenchTarget> targets,
        List<LayerResult> results) {

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("created", Instant.now().toString());
        out.put("environment", environment());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("repeats", policy.repeats());
        settings.put("min_time_s", policy.minTime().toMillis() / 1e3);
        settings.put("warmup_s", policy.warmup().toMillis() / 1e3);
        settings.put("max_time_s", policy.maxTime().toMillis() / 1e3);
        settings.put("seed", seed);
        settings.put("cpu_threads", threads);
        out.put("settings", settings);
        out.put("targets", targets.stream().map(BenchReport::targetJson).toList());
        out.put("suite", SuiteFile.toJson(suite));
        out.put("layers", suite.layers().stream().map(this::layerJson).toList());
        return out;
    }

    private Map<String, Object> layerJson(BenchLayer layer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", layer.name());
        out.put("input", SuiteFile.toList(layer.inputShape().toArray()));
        out.put("output", SuiteFile.toList(layer.outputShape().toArray()));
        out.put("gflop", layer.flops() / 1e9);
        out.put("minimum_mb", layer.minimumBytes() / 1e6);
        out.put("results", results.stream().filter(r -> r.layer() == layer).map(LayerResult::toJson).toList());
        return out;
    }

    private static Map<String, Object> targetJson(BenchTarget target) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", target.name());
        out.put("description", target.description());
        out.put("ceilings", target.ceilings().toJson());
        return out;
    }

    private static Map<String, Object> environment() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        out.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        out.put("available_processors", Runtime.getRuntime().availableProcessors());
        out.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return out;
    }
}

package org.clconv.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clconv.ConvLayer;
import org.clconv.Tensor;
import org.clconv.bench.BenchLayer;
import org.clconv.bench.BenchTarget;
import org.clconv.bench.Json;
import org.clconv.bench.PreparedLayer;
import org.clconv.bench.Suite;
import org.clconv.bench.SuiteFile;
import org.clconv.bench.Workload;
import org.clconv.io.Npy;

/**
 * Hands a suite's exact tensors to a peer in another process: per layer the input, weights and biases clconv
 * timed (the same seed gives the same data) and the reference output, as .npy files, listed in a manifest in
 * clconv's suite format with a {@code files} entry per layer.
 */
final class TensorExchange {
    private final Path dir;
    private final long seed;

    TensorExchange(Path dir, long seed) {
        this.dir = dir;
        this.seed = seed;
    }

    /** Writes every layer's files, with {@code reference}'s output as the expected one, and returns the manifest. */
    Path write(Suite suite, BenchTarget reference) throws IOException {
        List<Object> layers = new ArrayList<>();
        for (BenchLayer layer : suite.layers()) {
            Workload workload = layer.materialize(seed);
            Path folder = Files.createDirectories(dir.resolve(layer.name()));
            Map<String, Object> files = new LinkedHashMap<>();
            files.put("input", write(folder.resolve("input.npy"), workload.input()));
            List<Object> weights = new ArrayList<>();
            List<Object> biases = new ArrayList<>();
            List<ConvLayer> convs = workload.convLayers();
            for (int i = 0; i < convs.size(); i++) {
                weights.add(write(folder.resolve("weight" + i + ".npy"), convs.get(i).weight()));
                biases.add(convs.get(i).bias() == null ? null : write(folder.resolve("bias" + i + ".npy"), convs.get(i).bias()));
            }
            files.put("weights", weights);
            files.put("biases", biases);
            try (PreparedLayer prepared = reference.prepare(workload)) {
                files.put("expected", write(folder.resolve("expected.npy"), prepared.output()));
            }
            files.put("expected_from", reference.name());
            Map<String, Object> entry = SuiteFile.toJson(layer);
            entry.put("files", files);
            layers.add(entry);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", suite.name());
        manifest.put("layers", layers);
        Path path = dir.resolve("manifest.json");
        Files.writeString(path, Json.write(manifest), StandardCharsets.UTF_8);
        return path;
    }

    private static String write(Path path, Tensor tensor) throws IOException {
        Npy.write(path, tensor);
        return path.toAbsolutePath().toString();
    }
}

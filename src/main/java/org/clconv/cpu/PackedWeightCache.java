package org.clconv.cpu;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.clconv.ConvLayer;

/**
 * Packed weights per layer instance, so that a layer called again does not pay for repacking. Keyed by the layer
 * object itself (ConvLayer has identity equality) and held weakly: a layer the caller drops frees its panels.
 * Layers' tensors are immutable by contract, so a cached panel never goes stale.
 */
final class PackedWeightCache {
    private final Map<ConvLayer, float[]> panels = Collections.synchronizedMap(new WeakHashMap<>());

    float[] panelsFor(ConvLayer layer) {
        return panels.computeIfAbsent(layer, WeightPanels::pack);
    }

    int size() {
        return panels.size();
    }
}

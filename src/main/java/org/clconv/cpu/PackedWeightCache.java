package org.clconv.cpu;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.clconv.ConvLayer;

/**
 * Packed weights per layer instance, so that a layer called again does not pay for repacking, and whether its
 * weights are all finite (which decides between paths that skip padding taps and one that multiplies them by
 * zero). Keyed by the layer object itself (ConvLayer has identity equality) and held weakly: a layer the caller
 * drops frees its panels. Layers' tensors are immutable by contract, so an entry never goes stale.
 */
final class PackedWeightCache {
    private record Packed(float[] panels, boolean allFinite) {
        static Packed of(ConvLayer layer) {
            float[] w = layer.weight().data();
            return new Packed(WeightPanels.pack(layer), FiniteFloats.all(w, 0, w.length));
        }
    }

    private final Map<ConvLayer, Packed> packed = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<ConvLayer, float[]> winograd = Collections.synchronizedMap(new WeakHashMap<>());

    float[] panelsFor(ConvLayer layer) {
        return packedFor(layer).panels();
    }

    /** The layer's filters transformed for Winograd F(4x4, 3x3) ({@link WinogradWeights}). */
    float[] winogradFor(ConvLayer layer) {
        return winograd.computeIfAbsent(layer, WinogradWeights::pack);
    }

    /** Whether no weight of the layer is infinite or NaN. */
    boolean allFinite(ConvLayer layer) {
        return packedFor(layer).allFinite();
    }

    private Packed packedFor(ConvLayer layer) {
        return packed.computeIfAbsent(layer, Packed::of);
    }

    int size() {
        return packed.size();
    }
}

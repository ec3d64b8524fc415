package org.clconv.opencl;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.clconv.ConvLayer;

/**
 * Device copies of layer weights, uploaded once per {@link ConvLayer} instance (identity, not equality: two
 * layers with equal specs have different weights). Keys are weak, so a layer the application drops also
 * gives its device buffers back to the pool instead of pinning them until the backend closes.
 */
final class WeightCache {
    private final ReferenceQueue<ConvLayer> collected = new ReferenceQueue<>();
    private final Map<LayerKey, LayerWeights> entries = new HashMap<>();
    private final BufferPool pool;

    WeightCache(BufferPool pool) {
        this.pool = pool;
    }

    /** The layer's device weights, uploaded by {@code upload} on first use. */
    synchronized LayerWeights get(ConvLayer layer, Function<ConvLayer, LayerWeights> upload) {
        expungeCollected();
        LayerKey probe = new LayerKey(layer, null);
        LayerWeights weights = entries.get(probe);
        if (weights == null) {
            weights = upload.apply(layer);
            entries.put(new LayerKey(layer, collected), weights);
        }
        return weights;
    }

    synchronized int size() {
        return entries.size();
    }

    /** Forgets every entry; the pool that owns the buffers frees them when it closes. */
    synchronized void clear() {
        entries.clear();
    }

    private void expungeCollected() {
        for (Object stale = collected.poll(); stale != null; stale = collected.poll()) {
            LayerWeights weights = entries.remove(stale);
            if (weights != null) {
                pool.release(weights.weight());
                if (weights.bias() != null) {
                    pool.release(weights.bias());
                }
            }
        }
    }

    /** A weak reference compared by the identity of its referent (and, once cleared, by itself). */
    private static final class LayerKey extends WeakReference<ConvLayer> {
        private final int hash;

        LayerKey(ConvLayer layer, ReferenceQueue<ConvLayer> queue) {
            super(layer, queue);
            this.hash = System.identityHashCode(layer);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof LayerKey)) {
                return false;
            }
            ConvLayer mine = get();
            return mine != null && mine == ((LayerKey) o).get();
        }
    }
}

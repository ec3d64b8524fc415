package org.clconv.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Float arrays lent to the chunks of a call and returned at their end, so that a warm backend allocates no
 * large temporaries per call (packed B tiles, padded planes, a separable block's intermediate): every new Java
 * array is zeroed by the JVM, and those from 512 KiB up are allocated outside the young generation. An array
 * comes back as its last user left it, so a borrower initialises everything it reads, and may get a longer
 * array than it asked for (the shortest kept one that fits). At most {@code capacity} arrays and
 * {@code maxFloats} floats in all are kept (a service on large images must not hold several of their
 * intermediates for ever); with {@code capacity} kept, a longer array returned replaces the shortest one, and
 * what no bound admits is left to the garbage collector.
 */
final class ScratchArrays {
    /** The default bound on the floats kept: 64 MiB. */
    static final long MAX_FLOATS = 16L << 20;

    private final ConcurrentLinkedQueue<float[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();
    private final AtomicLong keptFloats = new AtomicLong();
    private final int capacity;
    private final long maxFloats;

    ScratchArrays(int capacity) {
        this(capacity, MAX_FLOATS);
    }

    ScratchArrays(int capacity, long maxFloats) {
        this.capacity = capacity;
        this.maxFloats = maxFloats;
    }

    /**
     * An array of at least {@code length} floats, of unspecified contents: the shortest kept one that is long
     * enough, so that a chunk's small accumulator never takes the large array a separable block's intermediate
     * needs (which would then be allocated anew, 800 KB zeroed per call for a 256 x 28 x 28 block).
     */
    float[] borrow(int length) {
        while (true) {
            float[] best = shortestKept(length);
            if (best == null) {
                return new float[length];
            }
            if (take(best)) {
                return best;
            }
            // another borrower took it first: look again
        }
    }

    /**
     * Returns an array from {@link #borrow}; the caller must not use it afterwards. When the pool is full, a
     * longer array takes the place of the shortest kept one: the long ones are the costly ones to allocate again.
     */
    void giveBack(float[] a) {
        if (kept.get() >= capacity) {
            float[] shortest = shortestKept(0);
            if (shortest == null || shortest.length >= a.length || !take(shortest)) {
                return;
            }
        }
        // each bound reserves its share first and takes it back if over (a race may drop an array: harmless)
        if (kept.incrementAndGet() > capacity) {
            kept.decrementAndGet();
            return;
        }
        if (keptFloats.addAndGet(a.length) > maxFloats) {
            keptFloats.addAndGet(-a.length);
            kept.decrementAndGet();
            return;
        }
        free.add(a);
    }

    /** The shortest kept array of at least {@code length} floats, or null if none is. */
    private float[] shortestKept(int length) {
        float[] best = null;
        for (float[] a : free) {
            if (a.length >= length && (best == null || a.length < best.length)) {
                best = a;
            }
        }
        return best;
    }

    /** Takes a kept array out of the pool; false if another thread took it first. */
    private boolean take(float[] a) {
        if (!free.remove(a)) {
            return false;
        }
        kept.decrementAndGet();
        keptFloats.addAndGet(-a.length);
        return true;
    }

    /** Arrays kept for reuse. */
    int kept() {
        return kept.get();
    }
}

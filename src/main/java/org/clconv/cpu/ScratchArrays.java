package org.clconv.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Float arrays lent to the chunks of a call and returned at their end, so that a warm backend allocates no
 * large temporaries per call (packed B tiles, padded planes, a separable block's intermediate): every new Java
 * array is zeroed by the JVM, and those from 512 KiB up are allocated outside the young generation. An array
 * comes back as its last user left it, so a borrower initialises everything it reads, and may get a longer
 * array than it asked for. At most {@code capacity} arrays and {@code maxFloats} floats in all are kept (a
 * service on large images must not hold several of their intermediates for ever); the rest are left to the
 * garbage collector.
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

    /** An array of at least {@code length} floats, of unspecified contents. */
    float[] borrow(int length) {
        for (float[] a : free) {
            if (a.length >= length && free.remove(a)) {
                kept.decrementAndGet();
                keptFloats.addAndGet(-a.length);
                return a;
            }
        }
        return new float[length];
    }

    /** Returns an array from {@link #borrow}; the caller must not use it afterwards. */
    void giveBack(float[] a) {
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

    /** Arrays kept for reuse. */
    int kept() {
        return kept.get();
    }
}

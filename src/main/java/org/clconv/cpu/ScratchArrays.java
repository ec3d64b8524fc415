package org.clconv.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Float arrays lent to the chunks of a call and returned at their end, so that a warm backend allocates no
 * large temporaries per call (packed B tiles, padded planes, a separable block's intermediate): every new Java
 * array is zeroed by the JVM, and those from 512 KiB up are allocated outside the young generation. An array
 * comes back as its last user left it, so a borrower initialises everything it reads, and may get a longer
 * array than it asked for. At most {@code capacity} arrays are kept; more are left to the garbage collector.
 */
final class ScratchArrays {
    private final ConcurrentLinkedQueue<float[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();
    private final int capacity;

    ScratchArrays(int capacity) {
        this.capacity = capacity;
    }

    /** An array of at least {@code length} floats, of unspecified contents. */
    float[] borrow(int length) {
        for (float[] a : free) {
            if (a.length >= length && free.remove(a)) {
                kept.decrementAndGet();
                return a;
            }
        }
        return new float[length];
    }

    /** Returns an array from {@link #borrow}; the caller must not use it afterwards. */
    void giveBack(float[] a) {
        if (kept.incrementAndGet() <= capacity) {
            free.add(a);
        } else {
            kept.decrementAndGet();
        }
    }

    /** Arrays kept for reuse. */
    int kept() {
        return kept.get();
    }
}

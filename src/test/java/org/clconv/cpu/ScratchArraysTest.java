package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ScratchArraysTest {
    @Test
    void lendsAnArrayAtLeastAsLongAndReusesWhatComesBack() {
        ScratchArrays scratch = new ScratchArrays(2);
        float[] a = scratch.borrow(100);
        assertEquals(100, a.length);
        scratch.giveBack(a);
        assertSame(a, scratch.borrow(60), "a returned array that is long enough is lent again");
        assertEquals(0, scratch.kept());
        float[] b = scratch.borrow(60);
        assertNotSame(a, b, "an array is lent to one borrower at a time");
        scratch.giveBack(a);
        assertTrue(scratch.borrow(101).length >= 101, "too short: a new one");
    }

    @Test
    void keepsAtMostItsCapacity() {
        ScratchArrays scratch = new ScratchArrays(2);
        for (int i = 0; i < 5; i++) {
            scratch.giveBack(new float[8]);
        }
        assertEquals(2, scratch.kept());
    }

    @Test
    void lendsTheShortestArrayThatFits() {
        ScratchArrays scratch = new ScratchArrays(4);
        float[] large = new float[1000];
        float[] small = new float[100];
        scratch.giveBack(large);
        scratch.giveBack(small);
        assertSame(small, scratch.borrow(50), "a small request leaves the large array for a large one");
        assertSame(large, scratch.borrow(500));
    }

    @Test
    void aLongerArrayReplacesTheShortestWhenFull() {
        ScratchArrays scratch = new ScratchArrays(2);
        scratch.giveBack(new float[8]);
        scratch.giveBack(new float[16]);
        float[] large = new float[1000];
        scratch.giveBack(large);
        assertEquals(2, scratch.kept());
        assertSame(large, scratch.borrow(1000), "kept in place of the 8-float array");
        assertEquals(16, scratch.borrow(1).length, "the 16-float array stayed");
    }

    @Test
    void keepsAtMostItsFloatBudget() {
        ScratchArrays scratch = new ScratchArrays(8, 100);
        scratch.giveBack(new float[60]);
        scratch.giveBack(new float[60]);
        assertEquals(1, scratch.kept(), "a second 60-float array would exceed 100 floats");
        scratch.borrow(60);
        scratch.giveBack(new float[101]);
        assertEquals(0, scratch.kept(), "an array larger than the budget is never kept");
    }

    @Test
    void concurrentBorrowersNeverShareAnArray() throws InterruptedException {
        ScratchArrays scratch = new ScratchArrays(4);
        Set<float[]> inUse = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        boolean[] shared = new boolean[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    float[] a = scratch.borrow(16);
                    if (!inUse.add(a)) {
                        shared[0] = true;
                    }
                    inUse.remove(a);
                    scratch.giveBack(a);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(!shared[0], "two borrowers held the same array");
        assertTrue(scratch.kept() <= 4);
    }
}

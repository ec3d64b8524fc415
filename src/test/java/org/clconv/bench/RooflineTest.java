package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RooflineTest {
    /** 100 GB/s and 1000 GFLOP/s: the ridge is at 10 FLOP per byte. */
    private static final Ceilings CEILINGS = new Ceilings(100e9, 1000e9, "test", "test");

    @Test
    void ridgePointIsFmaRateOverBandwidth() {
        assertEquals(10.0, CEILINGS.ridgePoint(), 1e-12);
    }

    @Test
    void lowIntensityIsMemoryBound() {
        // 1 GFLOP over 1 GB in 20 ms: 50 GB/s and 50 GFLOP/s at 1 FLOP/byte, under a roof of 100 GFLOP/s
        Roofline r = Roofline.of(1_000_000_000L, 1_000_000_000L, 0.020, CEILINGS);
        assertEquals(Roofline.Bound.MEMORY, r.bound());
        assertEquals(1.0, r.intensity(), 1e-12);
        assertEquals(50.0, r.percentOfBandwidth(), 1e-9);
        assertEquals(5.0, r.percentOfFma(), 1e-9);
        assertEquals(50.0, r.percentOfRoof(), 1e-9);
    }

    @Test
    void highIntensityIsComputeBound() {
        // 100 GFLOP over 1 GB in 0.2 s: 500 GFLOP/s at 100 FLOP/byte, under the flat roof of 1000 GFLOP/s
        Roofline r = Roofline.of(100_000_000_000L, 1_000_000_000L, 0.2, CEILINGS);
        assertEquals(Roofline.Bound.COMPUTE, r.bound());
        assertEquals(50.0, r.percentOfFma(), 1e-9);
        assertEquals(5.0, r.percentOfBandwidth(), 1e-9);
        assertEquals(50.0, r.percentOfRoof(), 1e-9);
    }

    @Test
    void theRidgeItselfCountsAsComputeBound() {
        assertEquals(Roofline.Bound.COMPUTE, Roofline.of(10, 1, 1, CEILINGS).bound());
    }

    @Test
    void rejectsANonPositiveTime() {
        assertThrows(IllegalArgumentException.class, () -> Roofline.of(1, 1, 0, CEILINGS));
    }

    @Test
    void rejectsNonPositiveCeilings() {
        assertThrows(IllegalArgumentException.class, () -> new Ceilings(0, 1, "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> new Ceilings(1, Double.NaN, "a", "b"));
    }
}

package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The mosaic's defining property on random axes, and its size where the layout is known. */
class PhaseMosaicTest {
    /**
     * Every output appears once, and at its mosaic position m each tap k reads, at padded position m + k, the input
     * the dilated tap reads (or a padding zero where that lies outside the input).
     */
    @Test
    void eachOutputReadsItsDilatedTapsAtConsecutivePositions() {
        Random rnd = new Random(41);
        for (int trial = 0; trial < 2000; trial++) {
            int dilation = 1 + rnd.nextInt(20);
            int inSize = 1 + rnd.nextInt(80);
            int pad = rnd.nextInt(2 * dilation + 3);
            int outSize = inSize + 2 * pad - 2 * dilation;
            if (outSize < 1) {
                continue;
            }
            PhaseMosaic mosaic = PhaseMosaic.of(outSize, inSize, dilation, pad);
            String what = "out " + outSize + ", in " + inSize + ", dilation " + dilation + ", pad " + pad;
            int[] seen = new int[outSize];
            for (int m = 0; m < mosaic.size(); m++) {
                int y = mosaic.target(m);
                if (y < 0) {
                    continue;
                }
                seen[y]++;
                for (int k = 0; k < 3; k++) {
                    int x = y - pad + k * dilation;
                    assertEquals(x >= 0 && x < inSize ? x : -1, mosaic.source(m + k), what + ", output " + y);
                }
            }
            for (int y = 0; y < outSize; y++) {
                assertEquals(1, seen[y], what + ", output " + y);
            }
            // at most two junk outputs between blocks
            assertTrue(mosaic.size() <= outSize + 2 * (Math.min(dilation, outSize) - 1), what);
        }
    }

    /** ASPP's dilation 6 on 33: six blocks (6, 6, 6, 5, 5, 5 outputs) sharing the padding zero between them. */
    @Test
    void blocksShareAPaddingZeroWhereBothHaveOne() {
        assertEquals(33 + 5, PhaseMosaic.of(33, 33, 6, 6).size());
        assertEquals(7, PhaseMosaic.of(7, 9, 1, 0).size());
        // no padding: each block's last tap reads a real input where the next block's first one does too
        assertEquals(25 + 2 * 2, PhaseMosaic.of(25, 31, 3, 0).size());
    }
}

package org.clconv.cpu;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape every kernel of {@link VectorMicroKernels} runs on, and the masks and shuffles they share.
 * Every vector in those kernels has S's shape: one of another size, even briefly, pollutes the type profiles of
 * the Vector API's shared code and leaves kernels compiled after it in its Java fallbacks (see
 * {@link VectorDepthwise3x3#depthwise3x3Stride2}).
 */
final class VectorShape {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes of S's size as ints: bit masks that zero padding lanes with one AND. */
    static final VectorSpecies<Integer> BITS = IntVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * The 8 x 3 GEMM tile needs 28 vector registers: AVX-512 has 32, AVX2 only 16 (it would spill accumulators),
     * so narrower vectors run each panel as two 4 x 2 tiles; the four-row blocks of the stencils (21 registers)
     * and of the 3x3 depthwise kernel (27) run on AVX-512 only.
     */
    static final boolean WIDE_TILES = S.vectorBitSize() >= 512;
    /** FIRST_LANES[k]: the lanes below k (made once: building a mask from bits is not an intrinsic in Java 17). */
    @SuppressWarnings("unchecked")
    static final VectorMask<Float>[] FIRST_LANES = IntStream.range(0, L)
            .mapToObj(k -> VectorMask.fromLong(S, (1L << k) - 1)).toArray(VectorMask[]::new);
    /** The scalar kernels, for shapes these vectors do not fit (vectors narrower than a weight panel, say). */
    static final MicroKernels PLAIN = new ScalarMicroKernels();
    /**
     * Lane i takes lane 2i, then lane 2(i - L/2) + 1: a vector's even lanes then its odd ones. Blended with
     * {@link #ODD_LANES} from a vector at 2x and one at 2x + L - 1, it gives the evens of the 2L floats from 2x in
     * order (one shuffle and one blend per vector of them).
     */
    static final VectorShuffle<Float> UNZIP = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i : 2 * (i - L / 2) + 1);
    /** Lane i takes lane i / 2, or L / 2 + i / 2: with {@link #ODD_LANES}, two vectors zipped lane by lane. */
    static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> i / 2);
    static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);
    static final VectorMask<Float> ODD_LANES = VectorMask.fromValues(S, oddLanes());

    private VectorShape() {
    }

    private static boolean[] oddLanes() {
        boolean[] lanes = new boolean[L];
        for (int i = 1; i < L; i += 2) {
            lanes[i] = true;
        }
        return lanes;
    }
}

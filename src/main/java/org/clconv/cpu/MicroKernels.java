package org.clconv.cpu;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inner loops every path is built from: a register-blocked GEMM step over packed weight panels, depthwise
 * stencils (a general one over a padded copy, a 3x3 one that masks the padding), and the row copies around them
 * (the stride-2 split of input rows into phases, short rows). Two implementations: {@link VectorMicroKernels}
 * (jdk.incubator.vector; C2 does not vectorise these loops on its own, the explicit vectors are roughly 15x
 * faster) and {@link ScalarMicroKernels}
 * (plain Java, always available). {@link #best()} picks the vector one only when the JVM was started with the
 * incubator module ({@code --add-modules jdk.incubator.vector}); both compute the same sums in the same order
 * per output, so results do not depend on which one runs.
 */
interface MicroKernels {
    /**
     * Output channels per weight panel: the weights of tap k for channels i = 0..7 are at panel + 8k + i. Eight
     * rows load each B vector once for eight FMAs (four left the GEMM bound by B loads from L2); with AVX2's 16
     * registers the vector kernels pass over a panel's B twice, four rows at a time.
     */
    int ROWS = 8;

    /** Short name for logs and the device description. */
    String name();

    /** Columns per step: every {@code n} given to the kernels is a multiple of this. */
    int columnStep();

    /**
     * Columns of {@link #gemm}'s register tile, a multiple of {@link #columnStep}: GEMM column tiles are cut in
     * multiples of it, so that no tile ends in narrower, slower steps.
     */
    int tileColumns();

    /**
     * The depth from which {@link #gemm} runs faster over B copied into blocks of {@link #tileColumns} contiguous
     * columns (ldb = tileColumns) than over rows of a wider matrix in place, for the pointwise GEMM, whose B is the
     * input itself; {@link Integer#MAX_VALUE} where copying does not pay. The implicit GEMM and Winograd build
     * their B in such blocks at every depth.
     */
    int packedDepth();

    /**
     * The GEMM step: c[cOff + i*ldc + j] = base[baseOff + i*basePitch + j*baseStep] + (sum over k < depth of
     * a[aOff + ROWS*k + i] * b[bOff + k*ldb + j], in k order from zero), for i < ROWS and j < n; the base is c
     * itself ({@link #gemm}) or a start tile ({@link #gemmOnStarts}). Reads b[bOff + k*ldb + j] for every j < n,
     * so columns past the real ones must be readable.
     */
    void gemmOnto(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] base, int baseOff,
            int basePitch, int baseStep, float[] c, int cOff, int ldc, int n);

    /** c[cOff + i*ldc + j] += the sums of {@link #gemmOnto}. */
    default void gemm(float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
            int n) {
        gemmOnto(a, aOff, depth, b, bOff, ldb, c, cOff, ldc, 1, c, cOff, ldc, n);
    }

    /**
     * {@link #gemm} that stores each sum onto its row's start instead of adding it to c: c[cOff + i*ldc + j] =
     * start_i + sum, the starts given as a start tile ({@link OutputRows#startTile}: row i, {@link #tileColumns}
     * floats from starts[i * tileColumns()], holds start_i in every float). The same floats as {@link #gemm} over
     * rows first set to their starts, without that pass over c and without reading c back (a tenth of a 32-deep
     * pointwise layer's time).
     */
    default void gemmOnStarts(float[] starts, float[] a, int aOff, int depth, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc, int n) {
        gemmOnto(a, aOff, depth, b, bOff, ldb, starts, 0, tileColumns(), 0, c, cOff, ldc, n);
    }

    /**
     * {@link #gemm} for the last few columns of a tile, {@code cols} of them (fewer than {@link #columnStep}), for
     * {@code panels} weight panels {@code panelStride} floats apart (panel q at aOff + q*panelStride, at least
     * depth*ROWS; its rows at c row q*ROWS + i), reading and writing exactly those columns. A whole-vector step
     * over 1 real column of 16 costs about as many loads as over 16; this one costs about one load per k, column
     * and panel (a 7x7 map has 49 = 3 x 16 + 1 columns). The implicit GEMM's runs of taps take part of a deeper
     * panel: hence the stride.
     */
    void gemmColumns(float[] a, int aOff, int panels, int panelStride, int depth, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, int cols);

    /**
     * Output j, for j < n, is start + (sum over t < taps of w[wOff + t] * src[srcBase + srcOff[t] + j]), stored at
     * out[outOff + j]; or, given a store map, at out[outOff + storeAt[j / columnStep()] + j % columnStep()] where
     * that entry is not negative, dropped where it is (a flat run over padded rows stores each row's outputs
     * straight into the output and drops the padding columns). Each output is stored from its bias, never added
     * onto, so the output needs no separate initialising pass (an output may be stored twice, with the same float).
     */
    void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start, float[] out,
            int outOff, int n, int[] storeAt);

    /** {@link #stencil} storing the run as it is. */
    default void stencil(float[] src, int srcBase, int[] srcOff, int taps, float[] w, int wOff, float start,
            float[] out, int outOff, int n) {
        stencil(src, srcBase, srcOff, taps, w, wOff, start, out, outOff, n, null);
    }

    /**
     * {@link #stencil} with a column stride of 2, over {@code rows} output rows of n: output j of row r, for j < n,
     * is start + (sum over t < taps of w[wOff + t] * src[srcBase + r*srcPitch + srcOff[t] + 2j]), each sum one
     * chain of fused multiply-adds from zero over the taps in order, stored at out[outOff + r*n + j]; nothing else
     * in out is written. Reads of src may reach one float past the last one used.
     */
    void stencilStride2(float[] src, int srcBase, int srcPitch, int[] srcOff, int taps, float[] w, int wOff,
            float start, float[] out, int outOff, int n, int rows);

    /**
     * The first rows of a {@link #stencil} over input rows {@code pitch} apart, straight into output rows
     * {@code outPitch} apart, for a kh x kw kernel whose tap offsets are srcOff[ky*kw + kx] = ky*rowStep +
     * kx*colStep: out[outOff + r*outPitch + x] = that stencil at srcBase + r*pitch + x (the same floats), for x <
     * width and r < the count returned, which may be 0 (the caller computes the rows from there). Writes nothing
     * else, and reads only the taps of those outputs. The offsets are arithmetic, not read from an array: each
     * read took a load and a bounds check among the few instructions per kernel column (5x5 dilation-2 maps of
     * 56x56, two threads, separate JVMs taking turns: 0.159-0.184 -> 0.136-0.156 ms).
     */
    int stencilRowBlocks(float[] src, int srcBase, int kh, int kw, int rowStep, int colStep, int pitch, float[] w,
            int wOff, float start, float[] out, int outOff, int outPitch, int rows, int width);

    /**
     * The 3x3, stride-1, same-size depthwise stencil on rows of {@code width} floats, taps {@code dil} apart:
     * out[outOff + y*width + x] = {@link ColumnMasks#output} of src[srcOff + y*width + x], for y < rows and
     * x < width: the taps left and right of the row are the zero padding (masked), the rows above and below are
     * read from src as they are, so the caller provides zero rows there where the padding is. Reads src from
     * dil*(width + 1) floats before the first output's centre tap to as far after the last one; writes exactly
     * out[outOff, outOff + rows*width).
     */
    void depthwise3x3(float[] src, int srcOff, ColumnMasks columns, float[] w, int wOff, float start, float[] out,
            int outOff, int rows);

    /**
     * {@link #depthwise3x3} for {@code planes} whole planes (padding {@code dil}), consecutive in src and out, with
     * the weights of plane i at wOff + 9i and its start at bias[biasOff + i] (zero without bias): out[outOff + i*n
     * + q] = {@link PlaneMasks#output} for q < n = {@link PlaneMasks#size}, which must be at least {@link
     * #columnStep}. The rows around each plane are read in place and masked, so src must be readable from srcOff -
     * dil*(width + 1) to dil*(width + 1) past the last plane's end. Writes exactly the planes' outputs.
     */
    void depthwise3x3Planes(float[] src, int srcOff, PlaneMasks masks, float[] w, int wOff, float[] bias,
            int biasOff, float[] out, int outOff, int planes);

    /**
     * The 3x3, stride-2, padding-1 depthwise stencil (no dilation) on input rows of {@code width} floats, whose
     * output rows are (width + 1) / 2 floats: out[outOff + r*outWidth + x] =
     * {@link ScalarMicroKernels#stride2Output} with its centre tap at src[srcOff + 2r*width + 2x], rows width
     * apart, the left taps skipped at x = 0 and the right ones where 2x + 1 = width, for r < rows. Reads the input
     * rows 2r - 1, 2r, 2r + 1 (relative to srcOff's row), so the caller provides zero rows where those are padding,
     * and may read the float before and the float after each of them (what those hold does not matter); writes
     * exactly the outputs.
     */
    void depthwise3x3Stride2(float[] src, int srcOff, int width, float[] w, int wOff, float start, float[] out,
            int outOff, int rows);

    /**
     * The Winograd F(4x4, 3x3) input transform of a row of {@code tiles} tiles of one channel, V = B^T d B. The
     * padded rows are split into four column phases (padded column 4j + q at q * phase + j), rows {@code rowPitch}
     * apart from srcOff: tile t's 6x6 input is six of those rows at phases 0-3 of t and phases 0 and 1 of t + 1.
     * Writes V[6a + b] of tile t to v[vOff + (6a + b) * vPitch + t]; the sums, in order, are {@link
     * ScalarMicroKernels#winogradInputTile}'s. A run of fewer than {@link #columnStep} tiles may also write its
     * rows of V on to that many tiles, whatever the source holds there: the caller leaves room for them, and the
     * source must be readable as far. {@code work} holds {@link #winogradWorkFloats} floats for the kernel's use.
     */
    void winogradInput(float[] src, int srcOff, int phase, int rowPitch, float[] v, int vOff, int vPitch,
            int tiles, float[] work);

    /**
     * The Winograd F(4x4, 3x3) output transform of a row of tiles of one output channel, Y = A^T M A: tile t's
     * sums m[mOff + xi * mPitch + t] (xi = 6a + b) give outputs start + Y at columns 4t to 4t + 3 (those below
     * {@code width}) of the first {@code rows} (at most 4) output rows from out[outOff], {@code outPitch} floats
     * apart; the sums, in order, are {@link ScalarMicroKernels#winogradOutputTile}'s. Returns whether every output
     * it wrote is finite. {@code work} holds {@link #winogradWorkFloats} floats for the kernel's use.
     */
    boolean winogradOutput(float[] m, int mOff, int mPitch, float start, float[] out, int outOff, int width,
            int outPitch, int rows, float[] work);

    /** The size of the Winograd transforms' work array: a 6x6 tile's intermediate sums, a vector each. */
    default int winogradWorkFloats() {
        return 40 * columnStep();
    }

    /**
     * dst[dstOff + j] = src[srcOff + 2j] for j < n: one stride phase of a stride-2 input row (a plain copy, so both
     * implementations give the same floats).
     */
    void copyEveryOther(float[] src, int srcOff, float[] dst, int dstOff, int n);

    /**
     * dst[dstOff + r*dstPitch + i] = src[srcOff + r*srcPitch + i] for r < rows and i < width. Writes nothing outside
     * the span from the first row's start to the last row's end, but, where width is not a multiple of
     * {@link #columnStep}, may set the floats between rows inside it to zero (callers use it where those are zero
     * padding); reads of src may run up to a vector past a row's end.
     */
    void copyRows(float[] src, int srcOff, int srcPitch, float[] dst, int dstOff, int dstPitch, int width, int rows);

    /** The vector kernels when the incubator module is in the boot layer and links, else the scalar ones. */
    static MicroKernels best() {
        Logger log = LoggerFactory.getLogger(MicroKernels.class);
        Optional<Module> vector = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vector.isEmpty()) {
            log.debug("jdk.incubator.vector not present (add --add-modules jdk.incubator.vector): scalar kernels");
            return new ScalarMicroKernels();
        }
        try {
            MicroKernels kernels = (MicroKernels) Class.forName("org.clconv.cpu.VectorMicroKernels")
                    .getDeclaredConstructor().newInstance();
            JitTrapLimit.warnIfLow(log);
            return kernels;
        } catch (ReflectiveOperationException | LinkageError e) {
            log.info("vector kernels unavailable ({}): scalar kernels", e.toString());
            return new ScalarMicroKernels();
        }
    }
}

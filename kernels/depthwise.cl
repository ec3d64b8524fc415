// Depthwise convolution: groups == in_channels, any channel multiplier, kernel, stride, padding and dilation.
//
// Problem defines: KERNEL_H, KERNEL_W, STRIDE_H, STRIDE_W, DIL_H, DIL_W (they fix the unrolled tap loops and the
// size of the register span), PAD_MODE, ACTIVATION, HAS_BIAS.
//
// Schedule defines:
//   DW_OUT_X     outputs per work-item along x. The work-item loads the input row segment its outputs share
//                once into registers and reuses it across them (with stride 1 and a 3-wide kernel, 4 outputs
//                read 6 inputs instead of 12); loads no output needs are dead and the compiler drops them.
//                With a width of 2, 4, 8 or 16 and stride 1 (or stride 2 up to 8), work-items whose span lies
//                inside the row load each tap as one vector instead (SIMD on CPU devices, wide loads on GPUs).
//   DW_OUT_Y     output rows per work-item, one after the other (fewer, longer work-items for CPU devices,
//                whose work-groups are loops); flat: runs of DW_OUT_X outputs per work-item.
//   DW_LAYOUT    0 (blocks): a work-item computes one block of DW_OUT_X outputs per row straight from global
//                memory (neighbouring work-items read neighbouring blocks; caches serve the overlaps).
//                1 (staged): the work-group first copies the padded input its output tile reads into local
//                memory (padding mode applied once per element, interior rows in vectors), then every output
//                block, edges included, is DW_OUT_X outputs from that tile: no bounds checks, no scalar edges.
//                2 (flat): output and input planes of the same size (stride 1, zero padding that keeps the size),
//                so tap (ky, kx) of every output reads the input at one flat offset from it: a work-item computes
//                DW_OUT_Y blocks of DW_OUT_X consecutive outputs of a plane's flat index, each tap one vector load,
//                the lanes on padding masked. Small maps fill whole vectors (7x7: a row is not one) and every
//                row's edges are lanes of a vector, not scalar code; no tile, no barrier.
//   DW_GROUP_X, DW_GROUP_Y   the work-group shape over (x blocks, row blocks).
//   DW_TILE_X    staged: output columns per work-group tile (a multiple of DW_OUT_X); its DW_GROUP_X work-items
//                take its blocks in turn. The tile is DW_GROUP_Y * DW_OUT_Y rows high.
//   DW_PLANES    (n, channel) planes per work-group, one after the other: fewer, longer work-groups where a
//                plane is small (CPU devices pay per work-group).
//
// NDRange: (x: ceil(OW / DW_OUT_X) rounded up to DW_GROUP_X; staged: ceil(OW / DW_TILE_X) * DW_GROUP_X;
// flat: ceil(OH * OW / (DW_OUT_X * DW_OUT_Y)) rounded up to DW_GROUP_X), (y: ceil(OH / DW_OUT_Y) rounded up to
// DW_GROUP_Y; flat: 1), (z: ceil(N * C_out / DW_PLANES)).
// Adjacent work-items in x read and write adjacent row segments, so accesses stay coalesced along the
// contiguous dimension.

#define SPAN ((DW_OUT_X - 1) * STRIDE_W + (KERNEL_W - 1) * DIL_W + 1)

// Any stride, padding and position: the span's columns are mapped (padding mode included) once, then each
// kernel row's span is loaded once and reused by every output and tap.
INLINE void taps_mapped(float* acc, const global float* src, const float* w, int iy0, int ix0, int height,
                 int width) {
    int col[SPAN];
#pragma unroll
    for (int j = 0; j < SPAN; j++) {
        col[j] = source_index(ix0 + j, width);
    }
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int sy = source_index(iy0 + ky * DIL_H, height);
        // A kernel row on zero padding adds nothing: skipped, as ONNX Runtime and the CPU backend do.
        if (sy < 0) {
            continue;
        }
        const global float* row = src + sy * width;
        float r[SPAN];
#pragma unroll
        for (int j = 0; j < SPAN; j++) {
            r[j] = col[j] >= 0 ? row[col[j]] : 0.0f;
        }
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const float wv = w[ky * KERNEL_W + kx];
#pragma unroll
            for (int t = 0; t < DW_OUT_X; t++) {
                acc[t] += wv * r[t * STRIDE_W + kx * DIL_W];
            }
        }
    }
}

#if (DW_OUT_X == 2 || DW_OUT_X == 4 || DW_OUT_X == 8 || DW_OUT_X == 16) && (STRIDE_W == 1 || (STRIDE_W == 2 && DW_OUT_X <= 8))
#define DW_VECTOR 1
#define floatX XCAT(float, DW_OUT_X)
#define vloadX XCAT(vload, DW_OUT_X)
#define vstoreX XCAT(vstore, DW_OUT_X)
#if STRIDE_W == 1
#define TAP_LOAD(p) vloadX(0, p)
#else
// Stride 2: every other element of a run twice as long (the last element read is one past the last needed).
#define TAP_LOAD(p) XCAT(vload, XCAT(DW_VECTOR_DOUBLE_, DW_OUT_X))(0, p).even
#define DW_VECTOR_DOUBLE_2 4
#define DW_VECTOR_DOUBLE_4 8
#define DW_VECTOR_DOUBLE_8 16
#endif
// The input columns a vector work-item reads: one past the last needed with stride 2.
#define VECTOR_SPAN ((KERNEL_W - 1) * DIL_W + DW_OUT_X * STRIDE_W)

// The whole span inside the row (most work-items): the outputs are one vector and each tap is one vector load.
INLINE void taps_interior(float* acc, const global float* src, const float* w, int iy0, int ix0, int height,
                   int width) {
    floatX sum = (floatX) (0.0f);
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int sy = source_index(iy0 + ky * DIL_H, height);
        if (sy < 0) {
            continue;
        }
        const global float* row = src + sy * width + ix0;
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            sum = fma((floatX) (w[ky * KERNEL_W + kx]), TAP_LOAD(row + kx * DIL_W), sum);
        }
    }
    vstoreX(sum, 0, acc);
}
#endif


// The DW_OUT_X outputs from ox0 of one row, finished and stored from acc: one vector store when the block is
// whole, else only the outputs that exist.
INLINE void store_block(float* acc, global float* dst, const global float* bias, int oc, int ox0, int out_width) {
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        acc[t] = finish(acc[t], bias, oc);
    }
#ifdef DW_VECTOR
    if (ox0 + DW_OUT_X <= out_width) {
        vstoreX(vloadX(0, acc), 0, dst + ox0);
        return;
    }
#endif
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        if (ox0 + t < out_width) {
            dst[ox0 + t] = acc[t];
        }
    }
}

#define LAYOUT_BLOCKS 0
#define LAYOUT_STAGED 1
#define LAYOUT_FLAT 2

// The block at ox0 of one output row, from global memory.
INLINE void block_direct(const global float* src, global float* dst, const float* w, const global float* bias,
                         int oc, int iy0, int ox0, int height, int width, int out_width, int pad_left) {
    const int ix0 = ox0 * STRIDE_W - pad_left;
    float acc[DW_OUT_X];
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        acc[t] = 0.0f;
    }
#ifdef DW_VECTOR
    if (ix0 >= 0 && ix0 + VECTOR_SPAN <= width) {
        taps_interior(acc, src, w, iy0, ix0, height, width);
    } else
#endif
    {
        taps_mapped(acc, src, w, iy0, ix0, height, width);
    }
    store_block(acc, dst, bias, oc, ox0, out_width);
}

#if DW_LAYOUT == LAYOUT_STAGED
#define TILE_Y (DW_GROUP_Y * DW_OUT_Y)
// The staged input tile: every padded input row and column the tile's outputs read. A block reads up to one
// column past its last needed input (stride 2), so the width covers whole blocks at the tile's end.
#define STAGE_H ((TILE_Y - 1) * STRIDE_H + (KERNEL_H - 1) * DIL_H + 1)
#define STAGE_W (DW_TILE_X * STRIDE_W + (KERNEL_W - 1) * DIL_W)

// A work-group of one work-item (CPU devices) needs no barrier; PoCL compiles barriers inside loops into
// work-item context saves even then.
#if DW_GROUP_X * DW_GROUP_Y > 1
#define TILE_BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#else
#define TILE_BARRIER()
#endif

#ifdef DW_VECTOR
#define STAGE_COPY DW_OUT_X
#else
#define STAGE_COPY 1
#endif

// One input element through the padding mode (0 on zero padding).
INLINE float padded(const global float* row, int x, int width) {
    const int sx = source_index(x, width);
    return sx < 0 ? 0.0f : row[sx];
}

// The input columns [lo, hi) of one row, all inside the input, into the tile row dst (`row` is the input at the
// tile's first column): STAGE_COPY-wide vectors by work-item column (coalesced runs on GPUs, SIMD copies on CPU
// devices), `runs` of them.
INLINE void stage_row(local float* dst, const global float* row, int lo, int hi, int runs, int lx) {
    for (int v = lx; v < runs; v += DW_GROUP_X) {
        const int c = lo + v * STAGE_COPY;
#if STAGE_COPY > 1
        vstoreX(vloadX(0, row + c), 0, dst + c);
#else
        dst[c] = row[c];
#endif
    }
#if STAGE_COPY > 1
    // The row's last cells short of a vector: one vector moved back to end at hi, rewriting a few cells with the
    // values they hold, by the work-item that wrote them (no other one touches them); a row narrower than a
    // vector, in 4-wide copies the same way by one work-item; one cell at a time only below 4. On PoCL, device
    // time: 512 maps of 14x14 (8-wide) 0.78, 256 of 28x28 and 32 x 256 (16-wide) 0.93-0.95, 1024 of 7x7 0.78-0.84.
    if (runs > 0 && lo + runs * STAGE_COPY < hi) {
        if (lx == (runs - 1) % DW_GROUP_X) {
            vstoreX(vloadX(0, row + hi - STAGE_COPY), 0, dst + hi - STAGE_COPY);
        }
        return;
    }
    if (STAGE_COPY > 4 && runs == 0 && hi - lo >= 4) {
        for (int c = lo; lx == 0 && c < hi; c += 4) {
            const int at = min(c, hi - 4);
            vstore4(vload4(0, row + at), 0, dst + at);
        }
        return;
    }
#endif
    for (int c = lo + runs * STAGE_COPY + lx; c < hi; c += DW_GROUP_X) {
        dst[c] = row[c];
    }
}

// Copies `rows` x `cols` of the padded input from (iy0, ix0) into the tile, shared by the work-group: rows by
// work-item row, the in-row columns by stage_row, the padding columns (a few per side) one by one. Zero padding
// puts the same zeros in the same cells for every plane of a work-group, so only its first plane (`borders`)
// writes them (512 planes of 14x14, 16 per group on PoCL: 0.80-0.88 of the device time); the others copy just
// the rows inside the input, with no padding mode per row (1024 planes of 7x7 and 512 of 14x14: 0.91-0.92).
INLINE void stage_tile(local float* tile, const global float* src, int iy0, int ix0, int rows, int cols,
                       int height, int width, bool borders) {
    const int lx = get_local_id(0);
    const int lo = clamp(-ix0, 0, cols);
    const int hi = clamp(width - ix0, lo, cols);
    const int runs = (hi - lo) / STAGE_COPY;
#if PAD_MODE == PAD_ZEROS
    if (!borders) {
        const int top = clamp(-iy0, 0, rows);
        const int bottom = clamp(height - iy0, top, rows);
        for (int r = top + (int) get_local_id(1); r < bottom; r += DW_GROUP_Y) {
            stage_row(tile + r * STAGE_W, src + (iy0 + r) * width + ix0, lo, hi, runs, lx);
        }
        return;
    }
#endif
    for (int r = get_local_id(1); r < rows; r += DW_GROUP_Y) {
        local float* dst = tile + r * STAGE_W;
        const int sy = source_index(iy0 + r, height);
        if (sy < 0) {
            for (int c = lx; c < cols; c += DW_GROUP_X) {
                dst[c] = 0.0f;
            }
            continue;
        }
        const global float* row = src + sy * width;
        for (int c = lx; c < lo; c += DW_GROUP_X) {
            dst[c] = padded(row, ix0 + c, width);
        }
        stage_row(dst, row + ix0, lo, hi, runs, lx);
        for (int c = hi + lx; c < cols; c += DW_GROUP_X) {
            dst[c] = padded(row, ix0 + c, width);
        }
    }
}

// The DW_OUT_X outputs of one block from the tile: `at` is the block's first input (top-left tap).
INLINE void taps_staged(float* acc, const local float* at, const float* w) {
#ifdef DW_VECTOR
    floatX sum = (floatX) (0.0f);
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            sum = fma((floatX) (w[ky * KERNEL_W + kx]), TAP_LOAD(at + ky * DIL_H * STAGE_W + kx * DIL_W), sum);
        }
    }
    vstoreX(sum, 0, acc);
#else
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        acc[t] = 0.0f;
    }
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const float wv = w[ky * KERNEL_W + kx];
#pragma unroll
            for (int t = 0; t < DW_OUT_X; t++) {
                acc[t] = fma(wv, at[ky * DIL_H * STAGE_W + t * STRIDE_W + kx * DIL_W], acc[t]);
            }
        }
    }
#endif
}

#if STRIDE_H == 1 && defined(DW_VECTOR)
#define DW_ROW_PAIRS 1
// The blocks at `at` of two output rows DIL_H apart: input row j (0..KERNEL_H) is kernel row j of the first and
// j - 1 of the second, so each is loaded once for both (KERNEL_H + 1 row loads instead of 2 * KERNEL_H); each
// sum still runs over its taps in kernel order, as taps_staged's does. PoCL device time, A/B with the tuned
// schedules: 5x5 dilation 2 on 128 maps of 56x56 0.89-0.90, 3x3 on 256 of 28x28 0.95, on 512 of 14x14 0.93.
INLINE void taps_staged_pair(float* first, float* second, const local float* at, const float* w) {
    floatX a = (floatX) (0.0f);
    floatX b = (floatX) (0.0f);
#pragma unroll
    for (int j = 0; j <= KERNEL_H; j++) {
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const floatX x = TAP_LOAD(at + j * DIL_H * STAGE_W + kx * DIL_W);
            if (j < KERNEL_H) {
                a = fma((floatX) (w[j * KERNEL_W + kx]), x, a);
            }
            if (j > 0) {
                b = fma((floatX) (w[(j - 1) * KERNEL_W + kx]), x, b);
            }
        }
    }
    vstoreX(a, 0, first);
    vstoreX(b, 0, second);
}
#endif

// The work-group's tile of one plane: stage, then every block from local memory. A partial tile's last block
// moves left to end at the tile's edge (recomputing a few outputs) when the tile holds a whole block.
INLINE void plane_staged(local float* tile, const global float* src, global float* dst, const float* w,
                         const global float* bias, int oc, int height, int width, int out_height, int out_width,
                         int pad_top, int pad_left, bool first_plane) {
    const int tx0 = get_group_id(0) * DW_TILE_X;
    const int ty0 = get_group_id(1) * TILE_Y;
    const int tw = min(DW_TILE_X, out_width - tx0);
    const int th = min(TILE_Y, out_height - ty0);
    stage_tile(tile, src, ty0 * STRIDE_H - pad_top, tx0 * STRIDE_W - pad_left,
               (th - 1) * STRIDE_H + (KERNEL_H - 1) * DIL_H + 1, (tw - 1) * STRIDE_W + (KERNEL_W - 1) * DIL_W + 1,
               height, width, first_plane);
    TILE_BARRIER();
    const int last = tw >= DW_OUT_X ? tw - DW_OUT_X : 0;
    const int r0 = get_local_id(1) * DW_OUT_Y;
    const int r1 = min(th, (int) (get_local_id(1) + 1) * DW_OUT_Y);
    int r = r0;
#ifdef DW_ROW_PAIRS
    // Rows in pairs DIL_H apart (groups of 2 * DIL_H rows), sharing their input rows' loads.
    for (; r + 2 * DIL_H <= r1; r += 2 * DIL_H) {
        for (int i = 0; i < DIL_H; i++) {
            global float* out_row = dst + (ty0 + r + i) * out_width + tx0;
            for (int b = get_local_id(0) * DW_OUT_X; b < tw; b += DW_GROUP_X * DW_OUT_X) {
                const int x = min(b, last);
                float first[DW_OUT_X];
                float second[DW_OUT_X];
                taps_staged_pair(first, second, tile + (r + i) * STAGE_W + x * STRIDE_W, w);
                store_block(first, out_row, bias, oc, x, tw);
                store_block(second, out_row + DIL_H * out_width, bias, oc, x, tw);
            }
        }
    }
#endif
    for (; r < r1; r++) {
        global float* out_row = dst + (ty0 + r) * out_width + tx0;
        for (int b = get_local_id(0) * DW_OUT_X; b < tw; b += DW_GROUP_X * DW_OUT_X) {
            const int x = min(b, last);
            float acc[DW_OUT_X];
            taps_staged(acc, tile + r * STRIDE_H * STAGE_W + x * STRIDE_W, w);
            store_block(acc, out_row, bias, oc, x, tw);
        }
    }
    // The next plane's staging overwrites the tile.
    TILE_BARRIER();
}
#endif

#if DW_LAYOUT == LAYOUT_FLAT
#ifndef DW_VECTOR
#error "the flat layout takes 2, 4, 8 or 16 outputs per work-item"
#endif
#define intX XCAT(int, DW_OUT_X)
#define uintX XCAT(uint, DW_OUT_X)
#define as_uintX XCAT(as_uint, DW_OUT_X)
#define as_intX XCAT(as_int, DW_OUT_X)
#define as_floatX XCAT(as_float, DW_OUT_X)
#define LANES XCAT(LANES_, DW_OUT_X)
#define LANES_2 (int2) (0, 1)
#define LANES_4 (int4) (0, 1, 2, 3)
#define LANES_8 (int8) (0, 1, 2, 3, 4, 5, 6, 7)
#define LANES_16 (int16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

// The DW_OUT_X outputs from flat position i0 of the plane at src, whose columns are x. Tap (ky, kx) reads the
// input at i0 + dy * width + dx for every lane; a lane whose tap row or column lies on padding takes a zero (the
// load read a neighbouring row or plane there: a bitwise AND, so even a NaN of theirs adds nothing). A lane's tap
// row is inside the plane when its flat index is. The loads reach rows and taps past the block: only for blocks
// whose reach lies inside the input (see plane_flat).
INLINE floatX taps_flat(const global float* src, const float* w, int i0, intX x, int height, int width,
                        int pad_top, int pad_left) {
    const intX i = (intX) (i0) + LANES;
    const uint n = height * width;
    const floatX zero = (floatX) (0.0f);
    floatX col[KERNEL_W];
#pragma unroll
    for (int kx = 0; kx < KERNEL_W; kx++) {
        col[kx] = zero;
    }
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int dy = ky * DIL_H - pad_top;
        const intX row_ok = as_uintX(i + dy * width) < (uintX) (n);
        const global float* row = src + i0 + dy * width - pad_left;
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const floatX v = vloadX(0, row + kx * DIL_W);
            col[kx] += as_floatX(as_intX((floatX) (w[ky * KERNEL_W + kx]) * v) & row_ok);
        }
    }
    floatX sum = zero;
#pragma unroll
    for (int kx = 0; kx < KERNEL_W; kx++) {
        const intX col_ok = as_uintX(x + (kx * DIL_W - pad_left)) < (uintX) (width);
        sum += as_floatX(as_intX(col[kx]) & col_ok);
    }
    return sum;
}

// The columns of the lanes of the block at flat position i0 (found once per work-item: a division per block cost
// more than the taps on PoCL; later blocks step from them).
INLINE intX flat_columns(int i0, int width) {
    int x[DW_OUT_X];
    int c = i0 % width;
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        x[t] = c;
        c = c + 1 == width ? 0 : c + 1;
    }
    return vloadX(0, x);
}

// Bias and activation on a vector, as finish() does on each output (comparisons, so NaN stays NaN).
INLINE floatX finish_vector(floatX acc, const global float* bias, int channel) {
#if HAS_BIAS
    acc += (floatX) (bias[channel]);
#endif
#if ACTIVATION == 1
    acc = select(acc, (floatX) (0.0f), acc < 0.0f);
#elif ACTIVATION == 2
    acc = select(acc, (floatX) (0.0f), acc < 0.0f);
    acc = select(acc, (floatX) (6.0f), acc > 6.0f);
#endif
    return acc;
}

// A block of plane_flat whose vector loads would reach past the input's ends (in planes at its ends): one
// output at a time, each reading only its taps inside the plane. Loops, not unrolled: unrolled over lanes and
// taps, this code beside plane_flat's made every plane a fifth slower (1024 maps of 7x7 on PoCL).
INLINE void block_by_output(const global float* src, global float* dst, const global float* w,
                            const global float* bias, int oc, int height, int width, int pad_top, int pad_left,
                            int i0) {
#pragma unroll 1
    for (int i = i0; i < i0 + DW_OUT_X; i++) {
        const int y = i / width;
        const int x = i % width;
        float acc = 0.0f;
#pragma unroll 1
        for (int t = 0; t < KERNEL_H * KERNEL_W; t++) {
            const int sy = y + (t / KERNEL_W) * DIL_H - pad_top;
            const int sx = x + (t % KERNEL_W) * DIL_W - pad_left;
            if (sy >= 0 && sy < height && sx >= 0 && sx < width) {
                acc = fma(w[t], src[sy * width + sx], acc);
            }
        }
        dst[i] = finish(acc, bias, oc);
    }
}

// The span of the input a plane's vector loads may read: `before` floats before an output, `after` after it, all
// inside the input of `size` floats from the plane's start at `start` (only planes at the input's ends reach past
// them).
typedef struct {
    size_t start;
    size_t size;
    int before;
    int after;
} flat_reach;

// This work-item's DW_OUT_Y consecutive blocks of one plane, from block `first`: its first block's columns are
// `columns` and each next block's DW_OUT_X % width further on (once round the row at most); a block that would end
// past the plane moves back to end at its end, with the columns `last_columns`. `edge`: the plane's loads may
// reach past the input's ends, so each block checks, and one that would goes output by output (planes at the
// input's ends; the others take this loop without a check).
INLINE void plane_flat(const global float* src, global float* dst, const float* w, const global float* weight,
                       const global float* bias, int oc, int height, int width, int pad_top, int pad_left,
                       int first, intX columns, intX last_columns, flat_reach reach, bool edge) {
    const int n = height * width;
    const int step = DW_OUT_X % width;
    const int end = min(first + DW_OUT_Y, (n + DW_OUT_X - 1) / DW_OUT_X);
    intX x = columns;
    for (int b = first; b < end; b++) {
        const bool moved = b * DW_OUT_X > n - DW_OUT_X;
        const int i0 = moved ? n - DW_OUT_X : b * DW_OUT_X;
        if (edge && (reach.start + i0 < (size_t) reach.before
                     || reach.start + i0 + DW_OUT_X + reach.after > reach.size)) {
            // (the taps from global memory: indexed by a loop variable, the private copy would leave registers)
            block_by_output(src, dst, weight, bias, oc, height, width, pad_top, pad_left, i0);
        } else {
            const floatX sum = taps_flat(src, w, i0, moved ? last_columns : x, height, width, pad_top, pad_left);
            vstoreX(finish_vector(sum, bias, oc), 0, dst + i0);
        }
        x += step;
        x = select(x, x - width, x >= width);
    }
}

#endif

__kernel __attribute__((reqd_work_group_size(DW_GROUP_X, DW_GROUP_Y, 1)))
void conv_depthwise(const global float* restrict input, const global float* restrict weight,
                    const global float* restrict bias, global float* restrict output,
                    int in_channels, int height, int width, int multiplier,
                    int out_height, int out_width, int pad_top, int pad_left, int planes) {
#if DW_LAYOUT == LAYOUT_STAGED
    local float tile[STAGE_H * STAGE_W];
#elif DW_LAYOUT == LAYOUT_FLAT
    const int first_block = get_global_id(0) * DW_OUT_Y;
    if (first_block * DW_OUT_X >= height * width) {
        return;
    }
    flat_reach reach;
    reach.size = (size_t) (planes / multiplier) * height * width;
    reach.before = pad_top * width + pad_left;
    reach.after = ((KERNEL_H - 1) * DIL_H - pad_top) * width + (KERNEL_W - 1) * DIL_W - pad_left;
    const intX columns = flat_columns(min(first_block * DW_OUT_X, height * width - DW_OUT_X), width);
    const intX last_columns = flat_columns(height * width - DW_OUT_X, width);
#else
    const int ox0 = get_global_id(0) * DW_OUT_X;
    const int oy0 = get_global_id(1) * DW_OUT_Y;
    if (ox0 >= out_width || oy0 >= out_height) {
        return;
    }
    const int rows = min(DW_OUT_Y, out_height - oy0);
#endif
    const int out_channels = in_channels * multiplier;
    // Every work-item of a group takes the same planes, so the staged layout's barriers are met by all.
    const int first = get_group_id(2) * DW_PLANES;
    // plane = n * C_out + oc, stepped without a division per plane (two of them were 5-6% of a 7x7 plane's time
    // on PoCL); the input channel of output channel oc is oc / multiplier.
    int oc = first % out_channels;
    size_t image = first / out_channels;
    for (int plane = first; plane < min(planes, first + DW_PLANES); plane++) {
        const size_t in_plane = image * in_channels + (multiplier == 1 ? oc : oc / multiplier);
        const global float* src = input + in_plane * height * width;
        global float* dst = output + (size_t) plane * out_height * out_width;
        // The taps in registers: loaded once, not after every store (the compiler cannot tell output from weight).
        float w[KERNEL_H * KERNEL_W];
#pragma unroll
        for (int t = 0; t < KERNEL_H * KERNEL_W; t++) {
            w[t] = weight[oc * (KERNEL_H * KERNEL_W) + t];
        }
#if DW_LAYOUT == LAYOUT_STAGED
        plane_staged(tile, src, dst, w, bias, oc, height, width, out_height, out_width, pad_top, pad_left,
                     plane == first);
#elif DW_LAYOUT == LAYOUT_FLAT
        reach.start = in_plane * height * width;
        const global float* taps = weight + oc * (KERNEL_H * KERNEL_W);
        if (reach.start >= (size_t) reach.before && reach.start + height * width + reach.after <= reach.size) {
            plane_flat(src, dst, w, taps, bias, oc, height, width, pad_top, pad_left, first_block, columns,
                       last_columns, reach, false);
        } else {
            plane_flat(src, dst, w, taps, bias, oc, height, width, pad_top, pad_left, first_block, columns,
                       last_columns, reach, true);
        }
#else
        for (int r = 0; r < rows; r++) {
            const int oy = oy0 + r;
            block_direct(src, dst + oy * out_width, w, bias, oc, oy * STRIDE_H - pad_top, ox0, height, width,
                         out_width, pad_left);
        }
#endif
        if (++oc == out_channels) {
            oc = 0;
            image++;
        }
    }
}

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
//                whose work-groups are loops).
//   DW_ROW_LOOP  0: a work-item computes one block of DW_OUT_X outputs per row (GPUs: neighbouring work-items
//                read neighbouring blocks). 1: a work-item walks its rows whole, block after block, with the
//                edges one output at a time (CPU devices: vector blocks everywhere but at the edges).
//   DW_GROUP_X, DW_GROUP_Y   the work-group shape over (x blocks, row blocks); DW_GROUP_X is 1 with DW_ROW_LOOP.
//
// NDRange: (ceil(OW / DW_OUT_X) rounded up to DW_GROUP_X, or 1 with DW_ROW_LOOP; ceil(OH / DW_OUT_Y) rounded up
// to DW_GROUP_Y; N * C_out).
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


// One output anywhere: every tap mapped on its own (the row-loop variant's edges).
INLINE float tap_sum_single(const global float* src, const float* w, int iy0, int ix0, int height,
                            int width) {
    float sum = 0.0f;
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int sy = source_index(iy0 + ky * DIL_H, height);
        if (sy < 0) {
            continue;
        }
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const int sx = source_index(ix0 + kx * DIL_W, width);
            sum = fma(w[ky * KERNEL_W + kx], sx < 0 ? 0.0f : src[sy * width + sx], sum);
        }
    }
    return sum;
}

// The DW_OUT_X outputs from ox0 of one row, stored from acc.
INLINE void store_block(float* acc, global float* dst, const global float* bias, int oc, int ox0, int out_width) {
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        if (ox0 + t < out_width) {
            dst[ox0 + t] = finish(acc[t], bias, oc);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(DW_GROUP_X, DW_GROUP_Y, 1)))
void conv_depthwise(const global float* restrict input, const global float* restrict weight,
                    const global float* restrict bias, global float* restrict output,
                    int in_channels, int height, int width, int multiplier,
                    int out_height, int out_width, int pad_top, int pad_left) {
#if DW_ROW_LOOP
    const int ox0 = 0;
#else
    const int ox0 = get_global_id(0) * DW_OUT_X;
#endif
    const int oy0 = get_global_id(1) * DW_OUT_Y;
    if (ox0 >= out_width || oy0 >= out_height) {
        return;
    }
    // plane = n * C_out + oc; the input channel of output channel oc is oc / multiplier.
    const size_t plane = get_global_id(2);
    const int out_channels = in_channels * multiplier;
    const int oc = (int) (plane % out_channels);
    const size_t in_plane = plane / out_channels * in_channels + oc / multiplier;
    const global float* src = input + in_plane * height * width;
    // The taps in registers: loaded once, not after every store (the compiler cannot tell output from weight).
    float w[KERNEL_H * KERNEL_W];
#pragma unroll
    for (int t = 0; t < KERNEL_H * KERNEL_W; t++) {
        w[t] = weight[oc * (KERNEL_H * KERNEL_W) + t];
    }
#if DW_ROW_LOOP && defined(DW_VECTOR)
    // The rightmost block start whose span lies inside the row and whose outputs exist (-1: none).
    const int fit = width - VECTOR_SPAN + pad_left;
    const int last_block = min(out_width - DW_OUT_X, fit < 0 ? -1 : fit / STRIDE_W);
#endif
    const int rows = min(DW_OUT_Y, out_height - oy0);
    for (int r = 0; r < rows; r++) {
        const int oy = oy0 + r;
        const int iy0 = oy * STRIDE_H - pad_top;
        global float* dst = output + plane * out_height * out_width + oy * out_width;
#if DW_ROW_LOOP
        // CPU devices: the work-item walks the whole row in vector blocks wherever their span lies inside the
        // row, one output at a time elsewhere (a 3x3 with padding 1: one output per side). The last block moves
        // left to end inside the row, recomputing a few outputs (the same values) rather than going scalar.
        for (int ox = 0; ox < out_width;) {
#ifdef DW_VECTOR
            const int b = min(ox, last_block);
            if (b * STRIDE_W >= pad_left && b + DW_OUT_X > ox) {
                float acc[DW_OUT_X];
                taps_interior(acc, src, w, iy0, b * STRIDE_W - pad_left, height, width);
                store_block(acc, dst, bias, oc, b, out_width);
                ox = b + DW_OUT_X;
                continue;
            }
#endif
            dst[ox] = finish(tap_sum_single(src, w, iy0, ox * STRIDE_W - pad_left, height, width), bias, oc);
            ox++;
        }
#else
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
#endif
    }
}

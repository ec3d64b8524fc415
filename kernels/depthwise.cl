// Depthwise convolution: groups == in_channels, any channel multiplier, kernel, stride, padding and dilation.
//
// Problem defines: KERNEL_H, KERNEL_W, STRIDE_H, STRIDE_W, DIL_H, DIL_W (they fix the unrolled tap loops and the
// size of the register span), PAD_MODE, ACTIVATION, HAS_BIAS.
//
// Schedule defines:
//   DW_OUT_X     outputs per work-item along x. The work-item loads the input row segment its outputs share
//                once into registers and reuses it across them (with stride 1 and a 3-wide kernel, 4 outputs
//                read 6 inputs instead of 12); loads no output needs are dead and the compiler drops them.
//                With stride 1 and a width of 2, 4, 8 or 16, interior work-items use vector loads instead.
//   DW_GROUP_X, DW_GROUP_Y   the work-group shape over (x blocks, output rows).
//
// NDRange: (ceil(OW / DW_OUT_X) rounded up to DW_GROUP_X, OH rounded up to DW_GROUP_Y, N * C_out).
// Adjacent work-items in x read and write adjacent row segments, so accesses stay coalesced along the
// contiguous dimension.

#define SPAN ((DW_OUT_X - 1) * STRIDE_W + (KERNEL_W - 1) * DIL_W + 1)

// Any stride, padding and position: the span's columns are mapped (padding mode included) once, then each
// kernel row's span is loaded once and reused by every output and tap.
void taps_mapped(float* acc, const global float* src, const global float* w, int iy0, int ix0, int height,
                 int width) {
    int col[SPAN];
#pragma unroll
    for (int j = 0; j < SPAN; j++) {
        col[j] = source_index(ix0 + j, width);
    }
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int sy = source_index(iy0 + ky * DIL_H, height);
        const global float* row = src + (sy < 0 ? 0 : sy) * width;
        // Padding taps read 0 and are still multiplied, as PyTorch does (0 * inf = NaN stays visible).
        float r[SPAN];
#pragma unroll
        for (int j = 0; j < SPAN; j++) {
            r[j] = (sy >= 0 && col[j] >= 0) ? row[col[j]] : 0.0f;
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

#if STRIDE_W == 1 && (DW_OUT_X == 2 || DW_OUT_X == 4 || DW_OUT_X == 8 || DW_OUT_X == 16)
#define DW_VECTOR 1
#define floatX XCAT(float, DW_OUT_X)
#define vloadX XCAT(vload, DW_OUT_X)
#define vstoreX XCAT(vstore, DW_OUT_X)

// Stride 1 with the whole span inside the row (most work-items): the outputs are one vector and each tap is
// one contiguous vector load, which CPU devices turn into SIMD and GPUs into wide loads.
void taps_interior(float* acc, const global float* src, const global float* w, int iy0, int ix0, int height,
                   int width) {
    floatX sum = (floatX) (0.0f);
#pragma unroll
    for (int ky = 0; ky < KERNEL_H; ky++) {
        const int sy = source_index(iy0 + ky * DIL_H, height);
        const global float* row = src + (sy < 0 ? 0 : sy) * width + ix0;
#pragma unroll
        for (int kx = 0; kx < KERNEL_W; kx++) {
            const floatX x = sy >= 0 ? vloadX(0, row + kx * DIL_W) : (floatX) (0.0f);
            sum += w[ky * KERNEL_W + kx] * x;
        }
    }
    vstoreX(sum, 0, acc);
}
#endif


__kernel __attribute__((reqd_work_group_size(DW_GROUP_X, DW_GROUP_Y, 1)))
void conv_depthwise(const global float* restrict input, const global float* restrict weight,
                    const global float* restrict bias, global float* restrict output,
                    int in_channels, int height, int width, int multiplier,
                    int out_height, int out_width, int pad_top, int pad_left) {
    const int ox0 = get_global_id(0) * DW_OUT_X;
    const int oy = get_global_id(1);
    if (ox0 >= out_width || oy >= out_height) {
        return;
    }
    // plane = n * C_out + oc; the input channel of output channel oc is oc / multiplier.
    const size_t plane = get_global_id(2);
    const int out_channels = in_channels * multiplier;
    const int oc = (int) (plane % out_channels);
    const size_t in_plane = plane / out_channels * in_channels + oc / multiplier;
    const global float* src = input + in_plane * height * width;
    const global float* w = weight + oc * (KERNEL_H * KERNEL_W);
    const int iy0 = oy * STRIDE_H - pad_top;
    const int ix0 = ox0 * STRIDE_W - pad_left;

    float acc[DW_OUT_X];
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        acc[t] = 0.0f;
    }
#ifdef DW_VECTOR
    if (ix0 >= 0 && ix0 + SPAN <= width) {
        taps_interior(acc, src, w, iy0, ix0, height, width);
    } else
#endif
    {
        taps_mapped(acc, src, w, iy0, ix0, height, width);
    }

    global float* dst = output + plane * out_height * out_width + oy * out_width;
#pragma unroll
    for (int t = 0; t < DW_OUT_X; t++) {
        if (ox0 + t < out_width) {
            dst[ox0 + t] = finish(acc[t], bias, oc);
        }
    }
}

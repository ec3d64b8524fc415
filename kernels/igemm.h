// The (implicit) GEMM shared by the pointwise and the general convolution families. Per batch image n and
// group g it computes
//     out[m][p] = finish( sum_k A[m][k] * B[k][p] )      m < M (out channels of the group),
//                                                       p < N (output pixels), k < K
// where A is the group's weights, (out_c/g, in_c/g * KH * KW) row-major exactly as PyTorch stores them, and
// B[k][p] is the im2col matrix of the input slice: row k = (ic, ky, kx), column p = output pixel (oy, ox).
//
// Problem defines: PAD_MODE, ACTIVATION, HAS_BIAS. The kernel size, stride and dilation are arguments: they
// only steer the gather of B, never the multiply loop, so one program serves every geometry.
//
// Schedule defines:
//   GEMM_LOCAL_TILES  1: the work-group stages A and B tiles in local memory (GPUs); 0: every work-item
//                     reads its operands straight from global memory, without barriers (CPU devices, where
//                     local memory is ordinary cache-backed memory and a barrier forces the work-group's
//                     register tiles out to memory at every K step)
//   GEMM_TM, GEMM_TN  the work-group's tile of M and N
//   GEMM_TK           the K step staged in local memory (local tiles only)
//   GEMM_RM, GEMM_RN  each work-item's register tile: GEMM_RM output channels times GEMM_RN pixels held as one
//                     floatRN vector (2, 4, 8 or 16): wide loads on GPUs, SIMD on CPUs, and neighbouring
//                     work-items still touch neighbouring pixels (coalesced)
//
// NDRange: (ceil(N / TN) * WG_N, ceil(M / TM) * WG_M, batch * groups), work-group (WG_N, WG_M, 1).

#define WG_N (GEMM_TN / GEMM_RN)
#define WG_M (GEMM_TM / GEMM_RM)
#define WG_SIZE (WG_N * WG_M)
#define floatN XCAT(float, GEMM_RN)
#define vloadN XCAT(vload, GEMM_RN)
#define vstoreN XCAT(vstore, GEMM_RN)

typedef struct {
    int M, N, K;
    int height, width, out_width;
    int pad_top, pad_left;
    int kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w;
} GemmDims;

// The local-tile variant's gather, defined by the family file. What a work-item needs to gather one column p of B, computed once per work-group tile.
typedef struct {
    int p;
    int iy0;
    int ix0;
} BColumn;

BColumn b_column(int p, const GemmDims* d);
// B[k][p] for one (n, g) slice of the input; 0 outside the matrix. Defined by the family file.
float b_load(const global float* in, int k, BColumn c, const GemmDims* d);

// Bias, activation and the store of one work-item's register tile: rows m_base + i * m_step from row m_first
// on (the rows before it belong to another work-item), pixels p.. p+RN-1.
INLINE void store_tile(floatN* acc, global float* out, const global float* bias, int channel0, int m_base, int m_step,
                int m_first, int p, const GemmDims* d) {
#pragma unroll
    for (int i = 0; i < GEMM_RM; i++) {
        const int m = m_base + i * m_step;
        if (m >= m_first && m < d->M) {
            float r[GEMM_RN];
            vstoreN(acc[i], 0, r);
#pragma unroll
            for (int j = 0; j < GEMM_RN; j++) {
                r[j] = finish(r[j], bias, channel0 + m);
            }
            global float* dst = out + (size_t) m * d->N + p;
            if (p + GEMM_RN <= d->N) {
                vstoreN(vloadN(0, r), 0, dst);
            } else {
                for (int j = 0; j < d->N - p; j++) {
                    dst[j] = r[j];
                }
            }
        }
    }
}

#if GEMM_LOCAL_TILES

// One extra column keeps the transposed stores of A into local memory free of bank conflicts.
#define A_STRIDE (GEMM_TM + 1)

// The host checks that the work-group size is a multiple of GEMM_TN and of GEMM_TK (each work-item then
// gathers one fixed B column and one fixed A column per K step).
INLINE void gemm_tile(const global float* in, const global float* a, floatN* acc, local float* a_tile,
                      local float* b_tile, int m0, int p0, int lx, int ly, const GemmDims* d) {
    const int lid = ly * WG_N + lx;
    const BColumn b_col = b_column(p0 + lid % GEMM_TN, d);
    const int a_k = lid % GEMM_TK;
    for (int k0 = 0; k0 < d->K; k0 += GEMM_TK) {
        const int k = k0 + a_k;
        for (int mm = lid / GEMM_TK; mm < GEMM_TM; mm += WG_SIZE / GEMM_TK) {
            const int m = m0 + mm;
            a_tile[a_k * A_STRIDE + mm] = (m < d->M && k < d->K) ? a[m * d->K + k] : 0.0f;
        }
        for (int kk = lid / GEMM_TN; kk < GEMM_TK; kk += WG_SIZE / GEMM_TN) {
            b_tile[kk * GEMM_TN + lid % GEMM_TN] = b_load(in, k0 + kk, b_col, d);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < GEMM_TK; kk++) {
            const floatN bv = vloadN(0, b_tile + kk * GEMM_TN + lx * GEMM_RN);
#pragma unroll
            for (int i = 0; i < GEMM_RM; i++) {
                acc[i] += a_tile[kk * A_STRIDE + ly + i * WG_M] * bv;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

#else

// acc[i] += A[m + i][k] * b for the work-item's rows; a_col points at A[m][k].
INLINE void accumulate(floatN* acc, const global float* a_col, int k_stride, floatN b) {
#pragma unroll
    for (int i = 0; i < GEMM_RM; i++) {
        acc[i] = fma((floatN) (a_col[i * k_stride]), b, acc[i]);
    }
}

// Without local memory: the work-item computes rows m.. m+RM-1 (the host keeps RM <= M and the caller keeps
// them inside M) for pixels p.. p+RN-1. It walks the kernel taps; per tap it maps its pixels to input offsets
// once (padding mode included, -1 for a zero) and then runs over the input channels. A tap whose pixels all
// fall on zero padding is skipped (dilated layers waste up to 60% of their taps there); a tap whose pixels
// read one contiguous input run (stride 1, all inside) takes one vector load per channel, any other a gather.
INLINE void gemm_direct(const global float* in, const global float* a, floatN* acc, int m, int p, const GemmDims* d) {
    const int taps = d->kernel_h * d->kernel_w;
    const int channels = d->K / taps;
    const int plane = d->height * d->width;
    int iy0[GEMM_RN], ix0[GEMM_RN];
    bool inside[GEMM_RN];
#pragma unroll
    for (int j = 0; j < GEMM_RN; j++) {
        const int q = p + j;
        const int oy = q / d->out_width;
        inside[j] = q < d->N;
        iy0[j] = oy * d->stride_h - d->pad_top;
        ix0[j] = (q - oy * d->out_width) * d->stride_w - d->pad_left;
    }
    const global float* a_rows = a + (size_t) m * d->K;
    for (int tap = 0; tap < taps; tap++) {
        const int ky = tap / d->kernel_w;
        const int kx = tap - ky * d->kernel_w;
        int offset[GEMM_RN];
        bool live = false;
        bool contiguous = true;
#pragma unroll
        for (int j = 0; j < GEMM_RN; j++) {
            const int sy = source_index(iy0[j] + ky * d->dil_h, d->height);
            const int sx = source_index(ix0[j] + kx * d->dil_w, d->width);
            offset[j] = (inside[j] && sy >= 0 && sx >= 0) ? sy * d->width + sx : -1;
            live |= offset[j] >= 0;
            contiguous &= offset[0] >= 0 && offset[j] == offset[0] + j;
        }
        if (!live) {
            continue;
        }
        if (contiguous) {
            const global float* src = in + offset[0];
            for (int c = 0; c < channels; c++) {
                accumulate(acc, a_rows + c * taps + tap, d->K, vloadN(0, src + (size_t) c * plane));
            }
        } else {
            for (int c = 0; c < channels; c++) {
                const global float* src = in + (size_t) c * plane;
                float b[GEMM_RN];
#pragma unroll
                for (int j = 0; j < GEMM_RN; j++) {
                    b[j] = offset[j] >= 0 ? src[offset[j]] : 0.0f;
                }
                accumulate(acc, a_rows + c * taps + tap, d->K, vloadN(0, b));
            }
        }
    }
}

#endif

__kernel __attribute__((reqd_work_group_size(WG_N, WG_M, 1)))
void conv_gemm(const global float* restrict input, const global float* restrict weight,
               const global float* restrict bias, global float* restrict output,
               int M, int N, int K, int groups, int in_channels, int height, int width, int out_width,
               int pad_top, int pad_left, int kernel_h, int kernel_w, int stride_h, int stride_w, int dil_h,
               int dil_w) {
    const GemmDims d = {M, N, K, height, width, out_width, pad_top, pad_left,
                        kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w};
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int p0 = get_group_id(0) * GEMM_TN;
    const int m0 = get_group_id(1) * GEMM_TM;
    const int slice = get_global_id(2);
    const int n = slice / groups;
    const int g = slice - n * groups;
    const int in_per_group = in_channels / groups;

    const global float* in = input + ((size_t) n * in_channels + (size_t) g * in_per_group) * height * width;
    const global float* a = weight + (size_t) g * M * K;
    const int out_channel0 = g * M;
    global float* out = output + ((size_t) n * groups * M + out_channel0) * N;

    floatN acc[GEMM_RM];
#pragma unroll
    for (int i = 0; i < GEMM_RM; i++) {
        acc[i] = (floatN) (0.0f);
    }
#if GEMM_LOCAL_TILES
    // Rows ly + i * WG_M: a row of work-items reads the same A value (a local-memory broadcast).
    // (OpenCL C allows local arrays only at kernel scope.)
    local float a_tile[GEMM_TK * A_STRIDE];
    local float b_tile[GEMM_TK * GEMM_TN];
    gemm_tile(in, a, acc, a_tile, b_tile, m0, p0, lx, ly, &d);
    store_tile(acc, out, bias, out_channel0, m0 + ly, WG_M, 0, p0 + lx * GEMM_RN, &d);
#else
    // Consecutive rows per work-item: its A reads are GEMM_RM neighbouring rows of one column. The last
    // work-item of a partial tile moves its rows up to end at M (recomputing some of its neighbour's, not
    // storing them), so that no row index leaves A and the multiply loop needs no bounds.
    const int m_first = m0 + ly * GEMM_RM;
    const int p = p0 + lx * GEMM_RN;
    if (m_first < M && p < N) {
        const int m_base = min(m_first, M - GEMM_RM);
        gemm_direct(in, a, acc, m_base, p, &d);
        store_tile(acc, out, bias, out_channel0, m_base, 1, m_first, p, &d);
    }
#endif
}

// The tiled (implicit) GEMM skeleton shared by the pointwise and the general convolution families. Per batch
// image n and group g it computes
//     out[m][p] = finish( sum_k A[m][k] * B[k][p] )      m < M (out channels of the group),
//                                                       p < N (output pixels), k < K
// where A is the group's weights, (out_c/g, in_c/g * KH * KW) row-major exactly as PyTorch stores them, and
// B[k][p] is gathered from the input by the family's b_column/b_load (defined in the family file that
// follows this header): a plain read for 1x1 convolutions, an on-the-fly im2col with padding otherwise.
//
// Problem defines: PAD_MODE, ACTIVATION, HAS_BIAS. The kernel size, stride and dilation are arguments: they
// only steer the gather of B, never the multiply loop, so one program serves every geometry.
//
// Schedule defines:
//   GEMM_TM, GEMM_TN, GEMM_TK   the work-group's tile of M, N and the K step staged in local memory
//   GEMM_RM, GEMM_RN            each work-item's register tile: rows ly + i*WG_M (reads of A broadcast across
//                               a row of work-items) times GEMM_RN consecutive pixels lx*RN + j, held as one
//                               floatRN vector (2, 4, 8 or 16): 128-bit local loads on GPUs, SIMD on CPUs,
//                               and neighbouring work-items still touch neighbouring pixels (coalesced)
// The host checks that the work-group size is a multiple of GEMM_TN and of GEMM_TK (each work-item then
// gathers one fixed B column and one fixed A column per K step).
//
// NDRange: (ceil(N / TN) * WG_N, ceil(M / TM) * WG_M, batch * groups), work-group (WG_N, WG_M, 1).

#define WG_N (GEMM_TN / GEMM_RN)
#define WG_M (GEMM_TM / GEMM_RM)
#define WG_SIZE (WG_N * WG_M)
#define floatN XCAT(float, GEMM_RN)
#define vloadN XCAT(vload, GEMM_RN)
#define vstoreN XCAT(vstore, GEMM_RN)
// One extra column keeps the transposed stores of A into local memory free of bank conflicts.
#define A_STRIDE (GEMM_TM + 1)

typedef struct {
    int M, N, K;
    int height, width, out_width;
    int pad_top, pad_left;
    int kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w;
} GemmDims;

// What a work-item needs to gather one column p of B, computed once per work-group tile.
typedef struct {
    int p;
    int iy0;
    int ix0;
} BColumn;

BColumn b_column(int p, const GemmDims* d);
// B[k][p] for one (n, g) slice of the input; 0 outside the matrix.
float b_load(const global float* in, int k, BColumn c, const GemmDims* d);

__kernel __attribute__((reqd_work_group_size(WG_N, WG_M, 1)))
void conv_gemm(const global float* restrict input, const global float* restrict weight,
               const global float* restrict bias, global float* restrict output,
               int M, int N, int K, int groups, int in_channels, int height, int width, int out_width,
               int pad_top, int pad_left, int kernel_h, int kernel_w, int stride_h, int stride_w, int dil_h,
               int dil_w) {
    local float a_tile[GEMM_TK * A_STRIDE];
    local float b_tile[GEMM_TK * GEMM_TN];

    const GemmDims d = {M, N, K, height, width, out_width, pad_top, pad_left,
                        kernel_h, kernel_w, stride_h, stride_w, dil_h, dil_w};
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int lid = ly * WG_N + lx;
    const int p0 = get_group_id(0) * GEMM_TN;
    const int m0 = get_group_id(1) * GEMM_TM;
    const int slice = get_global_id(2);
    const int n = slice / groups;
    const int g = slice - n * groups;
    const int in_per_group = in_channels / groups;

    const global float* in = input + ((size_t) n * in_channels + (size_t) g * in_per_group) * height * width;
    const global float* a = weight + (size_t) g * M * K;
    const size_t out_channel0 = (size_t) g * M;
    global float* out = output + ((size_t) n * groups * M + out_channel0) * N;

    // This work-item gathers column b_col of B and column a_k of A at every K step.
    const BColumn b_col = b_column(p0 + lid % GEMM_TN, &d);
    const int a_k = lid % GEMM_TK;

    floatN acc[GEMM_RM];
#pragma unroll
    for (int i = 0; i < GEMM_RM; i++) {
        acc[i] = (floatN) (0.0f);
    }

    for (int k0 = 0; k0 < K; k0 += GEMM_TK) {
        const int k = k0 + a_k;
        for (int mm = lid / GEMM_TK; mm < GEMM_TM; mm += WG_SIZE / GEMM_TK) {
            const int m = m0 + mm;
            a_tile[a_k * A_STRIDE + mm] = (m < M && k < K) ? a[m * K + k] : 0.0f;
        }
        for (int kk = lid / GEMM_TN; kk < GEMM_TK; kk += WG_SIZE / GEMM_TN) {
            b_tile[kk * GEMM_TN + lid % GEMM_TN] = b_load(in, k0 + kk, b_col, &d);
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

    const int p = p0 + lx * GEMM_RN;
#pragma unroll
    for (int i = 0; i < GEMM_RM; i++) {
        const int m = m0 + ly + i * WG_M;
        if (m < M) {
            float r[GEMM_RN];
            vstoreN(acc[i], 0, r);
#pragma unroll
            for (int j = 0; j < GEMM_RN; j++) {
                r[j] = finish(r[j], bias, (int) out_channel0 + m);
            }
            global float* dst = out + (size_t) m * N + p;
            if (p + GEMM_RN <= N) {
                vstoreN(vloadN(0, r), 0, dst);
            } else {
                for (int j = 0; j < N - p; j++) {
                    dst[j] = r[j];
                }
            }
        }
    }
}

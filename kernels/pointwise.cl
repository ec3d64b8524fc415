// Pointwise (1x1, stride 1, unpadded) convolution, groups >= 1: B is the input slice itself, (in_c/g, H*W)
// row-major, so column p of row k is a plain contiguous read. Follows igemm.h, which holds the kernel.

INLINE BColumn b_column(int p, const GemmDims* d) {
    BColumn c = {p, 0, 0};
    return c;
}

INLINE float b_load(const global float* in, int k, BColumn c, const GemmDims* d) {
    return (k < d->K && c.p < d->N) ? in[k * d->N + c.p] : 0.0f;
}

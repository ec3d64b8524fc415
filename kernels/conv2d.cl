// General convolution (grouped, strided, dilated, any padding and padding mode) as an implicit GEMM: B is the
// im2col matrix of the (n, g) input slice, row k = (ic, ky, kx) in PyTorch's weight order, column p = output
// pixel (oy, ox), gathered on the fly with the padding mapped by source_index (no padded or unrolled copy).
// Follows igemm.h, which holds the kernel.

INLINE BColumn b_column(int p, const GemmDims* d) {
    const int oy = p / d->out_width;
    const int ox = p - oy * d->out_width;
    BColumn c = {p, oy * d->stride_h - d->pad_top, ox * d->stride_w - d->pad_left};
    return c;
}

INLINE float b_load(const global float* in, int k, BColumn c, const GemmDims* d) {
    if (k >= d->K || c.p >= d->N) {
        return 0.0f;
    }
    const int taps = d->kernel_h * d->kernel_w;
    const int ic = k / taps;
    const int tap = k - ic * taps;
    const int ky = tap / d->kernel_w;
    const int kx = tap - ky * d->kernel_w;
    const int sy = source_index(c.iy0 + ky * d->dil_h, d->height);
    const int sx = source_index(c.ix0 + kx * d->dil_w, d->width);
    return (sy >= 0 && sx >= 0) ? in[(ic * d->height + sy) * d->width + sx] : 0.0f;
}

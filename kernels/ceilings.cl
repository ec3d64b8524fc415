// The two kernels behind the OpenCL backend's measured ceilings (DeviceCeilings), not used by any convolution.

// Copy bandwidth: one float4 per work-item, consecutive work-items on consecutive addresses (coalesced).
__kernel void copy_float4(__global const float4* restrict in, __global float4* restrict out) {
    size_t i = get_global_id(0);
    out[i] = in[i];
}

// FMA rate: CHAINS independent fma chains per work-item (CHAINS is a -D define), so every lane always has
// several FMAs in flight; m and c keep the values near 1. The sum is stored so no chain can be dropped.
__kernel void fma_chains(__global float* out, int iterations, float m, float c) {
    float a[CHAINS];
    for (int k = 0; k < CHAINS; k++) {
        a[k] = 1.0f + (float) k * 1e-3f + (float) get_global_id(0) * 1e-9f;
    }
    for (int i = 0; i < iterations; i++) {
#pragma unroll
        for (int k = 0; k < CHAINS; k++) {
            a[k] = fma(a[k], m, c);
        }
    }
    float sum = 0.0f;
    for (int k = 0; k < CHAINS; k++) {
        sum += a[k];
    }
    out[get_global_id(0)] = sum;
}

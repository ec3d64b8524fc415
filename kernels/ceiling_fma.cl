// fp32 FMA rate for DeviceCeilings (not used by any convolution): CHAINS independent chains of WIDTH-wide
// vector fma per work-item (both -D defines from the host), so every lane always has several FMAs in flight
// and a CPU device gets explicit SIMD; m and c keep the values near 1. The sum is stored so that no chain can
// be dropped, nor any lane.
#if !defined(CHAINS) || !defined(WIDTH)
#error "CHAINS and WIDTH must be defined by the host"
#endif
#define CONCAT(a, b) a##b
#define VECTOR(width) CONCAT(float, width)
#if WIDTH == 1
typedef float vec;
#else
typedef VECTOR(WIDTH) vec;
#endif

__kernel void fma_chains(__global vec* out, int iterations, float m, float c) {
    vec a[CHAINS];
    for (int k = 0; k < CHAINS; k++) {
        a[k] = (vec) (1.0f + (float) k * 1e-3f + (float) get_global_id(0) * 1e-9f);
    }
    vec vm = (vec) m;
    vec vc = (vec) c;
    for (int i = 0; i < iterations; i++) {
#pragma unroll
        for (int k = 0; k < CHAINS; k++) {
            a[k] = fma(a[k], vm, vc);
        }
    }
    vec sum = (vec) 0.0f;
    for (int k = 0; k < CHAINS; k++) {
        sum += a[k];
    }
    out[get_global_id(0)] = sum;
}

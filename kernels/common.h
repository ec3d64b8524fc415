// Helpers shared by every kernel family. The host prepends this file to each family's source (no #include,
// so no compiler include path is needed on any platform).
//
// Problem defines, set by the host:
//   PAD_MODE     0 zeros, 1 reflect, 2 replicate, 3 circular  (PyTorch's padding_mode)
//   ACTIVATION   0 none, 1 relu, 2 relu6
//   HAS_BIAS     0 or 1
// plus, where they shape a family's inner loop, the kernel size, stride and dilation (see each family).
// Schedule defines (tile and work-group sizes) belong to each family and never change the result.

// Token pasting through a second macro so that arguments are expanded first: XCAT(float, 4) -> float4.
#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)

// Helpers that take a work-item's register tile (a private array) by pointer must be inlined: PoCL otherwise
// compiles them as calls and keeps the accumulators in memory, storing each after every FMA (3x slower).
#define INLINE inline __attribute__((always_inline))

#define PAD_ZEROS 0
#define PAD_REFLECT 1
#define PAD_REPLICATE 2
#define PAD_CIRCULAR 3
#ifndef PAD_MODE
// The pointwise family never pads, so the host leaves its PAD_MODE out (one program fewer per mode).
#define PAD_MODE PAD_ZEROS
#endif

// Maps a coordinate of the padded input (negative or >= size outside the input) to the input index it reads,
// or -1 for a zero tap: the same mapping as PaddingMode.sourceIndex. The pads the host accepts need at most one
// reflection or wrap; coordinates further out (only the unused tail of a work-item's span reaches them) read
// as zero, so no index can leave the tensor.
INLINE int source_index(int i, int size) {
    if (i >= 0 && i < size) {
        return i;
    }
#if PAD_MODE == PAD_REFLECT
    int s = i < 0 ? -i : 2 * (size - 1) - i;
#elif PAD_MODE == PAD_REPLICATE
    int s = i < 0 ? 0 : size - 1;
#elif PAD_MODE == PAD_CIRCULAR
    int s = i < 0 ? i + size : i - size;
#else
    int s = -1;
#endif
    return (s >= 0 && s < size) ? s : -1;
}

// Bias then activation, as PyTorch applies them. Written with comparisons rather than fmax/fmin so that NaN
// propagates: relu(NaN) = NaN, as in PyTorch.
INLINE float finish(float acc, const global float* bias, int channel) {
#if HAS_BIAS
    acc += bias[channel];
#endif
#if ACTIVATION == 1
    acc = acc < 0.0f ? 0.0f : acc;
#elif ACTIVATION == 2
    acc = acc < 0.0f ? 0.0f : (acc > 6.0f ? 6.0f : acc);
#endif
    return acc;
}

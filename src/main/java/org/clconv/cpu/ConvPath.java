package org.clconv.cpu;

import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/** One way of computing a convolution on host arrays; {@link CpuBackend} picks the path from the spec. */
interface ConvPath {
    /**
     * Computes {@code layer} on the NCHW input into the NCHW output (sized by the geometry), bias and
     * activation included. The geometry has been validated; {@code out} is entirely overwritten. Either array
     * may be longer than the geometry says (a borrowed {@link ScratchArrays} array): only its start is the
     * tensor, and what follows is read at most by vector lanes whose results are dropped.
     */
    void run(ConvLayer layer, ConvGeometry geometry, float[] in, float[] out);
}

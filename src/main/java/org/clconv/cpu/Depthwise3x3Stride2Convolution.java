package org.clconv.cpu;

import java.util.Arrays;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.PaddingMode;

/**
 * The down-sampling depthwise layer of MobileNet-style networks -- 3x3, stride 2, zero padding 1, no dilation --
 * read in place: {@link MicroKernels#depthwise3x3Stride2} computes the stride-1 stencil at the input columns an
 * output vector spans and keeps its even lanes, where {@link DepthwiseConvolution} copies every plane into stride
 * phases first (on AVX2 that copy was 61% of the layer's time). A unit is a block of output rows of one plane;
 * an output row whose input rows reach the padding (the first, and the last of an odd height) reads a copy of its
 * three rows with zeros there, as does the last row of the input's last plane when the float after it, which the
 * kernel may read, is past the array's end.
 */
final class Depthwise3x3Stride2Convolution implements ConvPath {
    private final ParallelRunner runner;
    private final MicroKernels kernels;

    Depthwise3x3Stride2Convolution(ParallelRunner runner, MicroKernels kernels) {
        this.runner = runner;
        this.kernels = kernels;
    }

    /** Whether this path computes the spec: depthwise 3x3, stride 2, no dilation, zero padding 1 on every side. */
    static boolean accepts(Conv2d c) {
        return c.isDepthwise() && c.kernelH() == 3 && c.kernelW() == 3 && c.strideH() == 2 && c.strideW() == 2
                && c.dilationH() == 1 && c.dilationW() == 1 && c.paddingMode() == PaddingMode.ZEROS
                && c.padTop() == 1 && c.padBottom() == 1 && c.padLeft() == 1 && c.padRight() == 1;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        int height = g.inH();
        int width = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int planes = g.batch() * c.outChannels();
        int blockRows = runner.partsPerPiece(outH, planes);
        int blocks = (outH + blockRows - 1) / blockRows;
        // output rows [1, inner) read input rows 2y - 1 .. 2y + 1 inside the plane
        int inner = height / 2;
        OutputRows outputRows = new OutputRows(layer);
        float[] w = layer.weight().data();
        runner.runPlanes(planes * blocks, 9L * blockRows * outW, new int[] {3 * width + 2}, (from, to, scratch) -> {
            float[] edge = scratch[0];
            PlaneCursor cursor = new PlaneCursor(c, from, blocks);
            for (int u = from; u < to; u++, cursor.next()) {
                int plane = cursor.plane();
                int o = cursor.channel();
                int planeBase = cursor.inPlane() * height * width;
                int y0 = cursor.block() * blockRows;
                int end = Math.min(y0 + blockRows, outH);
                int unitOut = (plane * outH + y0) * outW;
                float start = outputRows.start(o);
                int first = Math.max(y0, Math.min(1, end));
                int last = Math.max(first, Math.min(end, inner));
                if (last > first && planeBase + (2L * last) * width + 1 > in.length) {
                    last--;
                }
                for (int y = y0; y < first; y++) {
                    edgeRow(in, planeBase, height, width, y, edge, w, o, start, out, (plane * outH + y) * outW);
                }
                if (last > first) {
                    kernels.depthwise3x3Stride2(in, planeBase + 2 * first * width, width, w, o * 9, start, out,
                            (plane * outH + first) * outW, last - first);
                }
                for (int y = last; y < end; y++) {
                    edgeRow(in, planeBase, height, width, y, edge, w, o, start, out, (plane * outH + y) * outW);
                }
                outputRows.activate(out, unitOut, (end - y0) * outW);
            }
        });
    }

    /**
     * Output row y from a copy of its input rows 2y - 1 .. 2y + 1, zeros for those outside the plane, with a float
     * of slack before and after them.
     */
    private void edgeRow(float[] in, int planeBase, int height, int width, int y, float[] edge, float[] w, int o,
            float start, float[] out, int outOff) {
        for (int i = 0; i < 3; i++) {
            int row = 2 * y - 1 + i;
            if (row >= 0 && row < height) {
                System.arraycopy(in, planeBase + row * width, edge, 1 + i * width, width);
            } else {
                Arrays.fill(edge, 1 + i * width, 1 + (i + 1) * width, 0f);
            }
        }
        kernels.depthwise3x3Stride2(edge, 1 + width, width, w, o * 9, start, out, outOff, 1);
    }
}

package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * groups == in_channels (any channel multiplier, kernel, stride, dilation, padding mode): every output channel
 * reads one input channel, so there is no reduction over channels to block. Each output row is accumulated in
 * one float row, tap by tap; the weights are used in PyTorch's layout, no packing needed. Work units are output
 * rows, so a plane's rows stay on one thread and its input rows stay in cache.
 */
final class DepthwiseConvolution implements ConvPath {
    private final ParallelRunner runner;

    DepthwiseConvolution(ParallelRunner runner) {
        this.runner = runner;
    }

    @Override
    public void run(ConvLayer layer, ConvGeometry g, float[] in, float[] out) {
        Conv2d c = g.spec();
        AxisTaps rows = AxisTaps.rows(g);
        AxisTaps cols = AxisTaps.columns(g);
        OutputRows outputRows = new OutputRows(layer);
        float[] w = layer.weight().data();
        int outH = g.outH();
        int outW = g.outW();
        int inW = g.inW();
        int kh = c.kernelH();
        int kw = c.kernelW();
        int cin = c.inChannels();
        int cout = c.outChannels();
        int multiplier = c.channelMultiplier();
        int inPlane = g.inH() * inW;
        runner.run(g.batch() * cout * outH, (long) kh * kw * outW, (from, to) -> {
            float[] acc = new float[outW];
            for (int u = from; u < to; u++) {
                int y = u % outH;
                int plane = u / outH;
                int o = plane % cout;
                int inBase = ((plane / cout) * cin + o / multiplier) * inPlane;
                outputRows.begin(acc, outW, o);
                for (int ky = 0; ky < kh; ky++) {
                    int sy = rows.source(ky, y);
                    if (sy < 0) {
                        continue;
                    }
                    int rowBase = inBase + sy * inW;
                    int wBase = (o * kh + ky) * kw;
                    for (int kx = 0; kx < kw; kx++) {
                        RowKernels.addTap(acc, in, rowBase, w[wBase + kx], cols, kx);
                    }
                }
                outputRows.end(acc, outW, out, (plane * outH + y) * outW);
            }
        });
    }
}

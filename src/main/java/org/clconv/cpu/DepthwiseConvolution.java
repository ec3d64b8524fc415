package org.clconv.cpu;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;

/**
 * groups == in_channels (any channel multiplier, kernel, stride, dilation, padding mode): every output channel
 * reads one input channel, so there is no reduction over channels to block. Each output row is accumulated in
 * one float row, four kernel taps per pass where they are all inside the input; the weights are used in
 * PyTorch's layout, no packing needed. Work units are output rows, so a plane's rows stay on one thread and its
 * input rows stay in cache.
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
        int kernelTaps = c.kernelH() * c.kernelW();
        int cin = c.inChannels();
        int cout = c.outChannels();
        int multiplier = c.channelMultiplier();
        int inPlane = g.inH() * g.inW();
        runner.run(g.batch() * cout * outH, (long) kernelTaps * outW, (from, to) -> {
            ChannelRow row = new ChannelRow(rows, cols, c, g.inW(), w);
            for (int u = from; u < to; u++) {
                int y = u % outH;
                int plane = u / outH;
                int o = plane % cout;
                int inBase = ((plane / cout) * cin + o / multiplier) * inPlane;
                outputRows.begin(row.acc, outW, o);
                row.addChannel(in, inBase, y, o * kernelTaps);
                row.finishRow(in);
                outputRows.end(row.acc, outW, out, (plane * outH + y) * outW);
            }
        });
    }

    /** One output channel's row; tap indices are indices into the weight tensor. */
    private static final class ChannelRow extends RowAccumulator {
        final float[] acc;
        private final float[] w;

        ChannelRow(AxisTaps rows, AxisTaps cols, Conv2d c, int inW, float[] w) {
            super(rows, cols, c.kernelH(), c.kernelW(), inW);
            this.acc = new float[cols.outSize()];
            this.w = w;
        }

        @Override
        void addTap(float[] in, int rowBase, int tap, AxisTaps cols, int k, int from, int to) {
            RowKernels.addTap(acc, in, rowBase, w[tap], cols, k, from, to);
        }

        @Override
        void addInteriorTap(float[] in, int inputOffset, int tap, int from, int to) {
            RowKernels.axpy(acc, in, inputOffset, 1, w[tap], from, to);
        }

        @Override
        void addFourTaps(float[] in, int from, int to) {
            RowKernels.dot4(acc, in, queuedInput, w, queuedWeight, from, to);
        }
    }
}

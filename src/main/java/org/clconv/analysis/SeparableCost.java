package org.clconv.analysis;

import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.InvalidConvolutionException;
import org.clconv.SeparableBlock;

/**
 * The lesson's comparison of a standard k x k conv from m to n channels against its depthwise-separable
 * replacement (k x k depthwise on m channels, then 1 x 1 from m to n): the separable one costs
 * {@code 1/n + 1/k^2} of the standard one, in MACs, for the same output size.
 */
public final class SeparableCost {
    private final long standardMacs;
    private final long depthwiseMacs;
    private final long pointwiseMacs;
    private final double predictedRatio;

    private SeparableCost(long standardMacs, long depthwiseMacs, long pointwiseMacs, double predictedRatio) {
        this.standardMacs = standardMacs;
        this.depthwiseMacs = depthwiseMacs;
        this.pointwiseMacs = pointwiseMacs;
        this.predictedRatio = predictedRatio;
    }

    /**
     * Compares a depthwise (multiplier 1) + pointwise pair with the standard conv of the depthwise layer's
     * kernel, stride, padding and dilation that maps the same input to the pointwise layer's channels.
     */
    public static SeparableCost of(Conv2d depthwise, Conv2d pointwise, int batch, int height, int width) {
        SeparableBlock.checkPair(depthwise, pointwise);
        if (depthwise.channelMultiplier() != 1) {
            throw new InvalidConvolutionException("the closed form 1/n + 1/k^2 assumes a depthwise channel multiplier "
                    + "of 1, got multiplier " + depthwise.channelMultiplier() + " (in_channels="
                    + depthwise.inChannels() + ", out_channels=" + depthwise.outChannels() + ")");
        }
        ConvGeometry dw = depthwise.bind(batch, height, width);
        ConvGeometry pw = pointwise.bind(batch, dw.outH(), dw.outW());
        Conv2d standard = Conv2d.builder(depthwise.inChannels(), pointwise.outChannels(), depthwise.kernelH(),
                        depthwise.kernelW())
                .stride(depthwise.strideH(), depthwise.strideW()).padding(depthwise.padding())
                .dilation(depthwise.dilationH(), depthwise.dilationW()).paddingMode(depthwise.paddingMode()).build();
        long std = standard.bind(batch, height, width).macs();
        double predicted = 1.0 / pointwise.outChannels() + 1.0 / (depthwise.kernelH() * depthwise.kernelW());
        return new SeparableCost(std, dw.macs(), pw.macs(), predicted);
    }

    public long standardMacs() {
        return standardMacs;
    }

    public long separableMacs() {
        return depthwiseMacs + pointwiseMacs;
    }

    public long depthwiseMacs() {
        return depthwiseMacs;
    }

    public long pointwiseMacs() {
        return pointwiseMacs;
    }

    /** separable / standard, from the counted MACs. */
    public double measuredRatio() {
        return (double) separableMacs() / standardMacs;
    }

    /** The lesson's closed form, 1/n + 1/k^2 (k^2 = kh*kw). */
    public double predictedRatio() {
        return predictedRatio;
    }
}

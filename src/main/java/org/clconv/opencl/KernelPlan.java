package org.clconv.opencl;

import java.util.Locale;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;

/**
 * How one bound convolution runs: the kernel family, its build options (problem defines, then schedule
 * defines), the NDRange and the size arguments that follow the four buffer arguments
 * (input, weight, bias, output) every family takes. Pure arithmetic, no device calls.
 */
final class KernelPlan {
    private final KernelFamily family;
    private final String options;
    private final long[] globalSize;
    private final long[] localSize;
    private final int[] sizeArgs;

    private KernelPlan(KernelFamily family, String options, long[] globalSize, long[] localSize, int[] sizeArgs) {
        this.family = family;
        this.options = options;
        this.globalSize = globalSize;
        this.localSize = localSize;
        this.sizeArgs = sizeArgs;
    }

    static KernelPlan of(ConvGeometry g, KernelParams params) {
        KernelFamily family = KernelFamily.of(g.spec());
        String problem = problemDefines(family, g.spec()) + " ";
        if (family == KernelFamily.DEPTHWISE) {
            DepthwiseSchedule schedule = params.depthwise().fittedTo(g);
            return depthwise(g, schedule, problem + schedule.defines());
        }
        GemmSchedule schedule = params.gemm().fittedTo(g.spec().outChannelsPerGroup());
        return gemm(family, g, schedule, problem + schedule.defines());
    }

    /**
     * The defines that describe the problem, independent of the schedule. Only what a family's code depends on:
     * every distinct option string is another program to compile (seconds on PoCL), so the GEMM families take
     * the geometry as arguments and the pointwise one has no padding mode.
     */
    static String problemDefines(KernelFamily family, Conv2d s) {
        String epilogue = String.format(Locale.ROOT, "-DACTIVATION=%d -DHAS_BIAS=%d", s.activation().ordinal(),
                s.hasBias() ? 1 : 0);
        String padMode = "-DPAD_MODE=" + s.paddingMode().ordinal() + " ";
        switch (family) {
            case DEPTHWISE:
                return String.format(Locale.ROOT, "-DKERNEL_H=%d -DKERNEL_W=%d -DSTRIDE_H=%d -DSTRIDE_W=%d -DDIL_H=%d"
                        + " -DDIL_W=%d ", s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.dilationH(),
                        s.dilationW()) + padMode + epilogue;
            case CONV2D:
                return padMode + epilogue;
            default:
                return epilogue;
        }
    }

    private static KernelPlan depthwise(ConvGeometry g, DepthwiseSchedule p, String options) {
        Conv2d s = g.spec();
        long planes = (long) g.batch() * s.outChannels();
        boolean flat = p.layout() == DepthwiseSchedule.Layout.FLAT;
        long[] global = {depthwiseWidth(g, p), flat ? 1 : roundUp(ceilDiv(g.outH(), p.outputsY()), p.groupY()),
            ceilDiv(planes, p.planes())};
        long[] local = {p.groupX(), p.groupY(), 1};
        int[] args = {s.inChannels(), g.inH(), g.inW(), s.channelMultiplier(), g.outH(), g.outW(), s.padTop(),
            s.padLeft(), Math.toIntExact(planes)};
        return new KernelPlan(KernelFamily.DEPTHWISE, options, global, local, args);
    }

    /** The NDRange's x extent: work-items per output row (flat: per plane), rounded up to whole work-groups. */
    private static long depthwiseWidth(ConvGeometry g, DepthwiseSchedule p) {
        if (p.layout() == DepthwiseSchedule.Layout.STAGED) {
            return ceilDiv(g.outW(), p.tileX()) * p.groupX();
        }
        if (p.layout() == DepthwiseSchedule.Layout.FLAT) {
            long blocks = ceilDiv((long) g.outH() * g.outW(), p.outputsX());
            return roundUp(ceilDiv(blocks, p.outputsY()), p.groupX());
        }
        return roundUp(ceilDiv(g.outW(), p.outputsX()), p.groupX());
    }

    private static KernelPlan gemm(KernelFamily family, ConvGeometry g, GemmSchedule p, String options) {
        Conv2d s = g.spec();
        int m = s.outChannelsPerGroup();
        int n = g.outH() * g.outW();
        int k = s.inChannelsPerGroup() * s.kernelH() * s.kernelW();
        long groupN = p.groupSizeN();
        long groupM = p.groupSizeM();
        long[] global = {ceilDiv(n, p.tileN()) * groupN, ceilDiv(m, p.tileM()) * groupM,
            (long) g.batch() * s.groups()};
        long[] local = {groupN, groupM, 1};
        int[] args = {m, n, k, s.groups(), s.inChannels(), g.inH(), g.inW(), g.outW(), s.padTop(), s.padLeft(),
            s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.dilationH(), s.dilationW()};
        return new KernelPlan(family, options, global, local, args);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long roundUp(long a, long multiple) {
        return ceilDiv(a, multiple) * multiple;
    }

    KernelFamily family() { return family; }
    String options() { return options; }
    long[] globalSize() { return globalSize.clone(); }
    long[] localSize() { return localSize.clone(); }
    int[] sizeArgs() { return sizeArgs.clone(); }
}

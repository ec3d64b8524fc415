package org.clconv.cpu;

import org.clconv.Conv2d;

/**
 * Walks the output planes of a depthwise layer in order (image-major, then output channel) and tracks the input
 * plane each one reads, without the divisions per plane that computing them afresh costs: on 7x7 maps those
 * were as slow as the plane's own stencil.
 */
final class PlaneCursor {
    private final int outChannels;
    private final int multiplier;
    private int channel;
    private int sub;
    private int inPlane;

    /** Starts at output plane {@code plane} (image * out_channels + channel). */
    PlaneCursor(Conv2d c, int plane) {
        this.outChannels = c.outChannels();
        this.multiplier = c.channelMultiplier();
        this.channel = plane % outChannels;
        this.sub = channel % multiplier;
        this.inPlane = plane / outChannels * c.inChannels() + channel / multiplier;
    }

    /** The output channel of the current plane. */
    int channel() {
        return channel;
    }

    /** The input plane (image * in_channels + input channel) the current output plane reads. */
    int inPlane() {
        return inPlane;
    }

    /** Moves to the next output plane: the next filter of the same input channel, or the next input plane. */
    void next() {
        if (++channel == outChannels) {
            channel = 0;
            sub = 0;
            inPlane++;
        } else if (++sub == multiplier) {
            sub = 0;
            inPlane++;
        }
    }
}

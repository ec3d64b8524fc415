package org.clconv.cpu;

import org.clconv.Conv2d;

/**
 * Walks the units of a depthwise layer -- row blocks of its output planes, image-major, then output channel, then
 * block -- and tracks the input plane each one reads, without the divisions per unit that computing them afresh
 * costs: on 7x7 maps those were as slow as the plane's own stencil.
 */
final class PlaneCursor {
    private final int outChannels;
    private final int multiplier;
    private final int blocks;
    private int plane;
    private int block;
    private int channel;
    private int sub;
    private int inPlane;

    /** Starts at unit {@code unit} (plane * blocks + block) of planes cut into {@code blocks} row blocks each. */
    PlaneCursor(Conv2d c, int unit, int blocks) {
        this.outChannels = c.outChannels();
        this.multiplier = c.channelMultiplier();
        this.blocks = blocks;
        this.plane = unit / blocks;
        this.block = unit % blocks;
        this.channel = plane % outChannels;
        this.sub = channel % multiplier;
        this.inPlane = plane / outChannels * c.inChannels() + channel / multiplier;
    }

    /** The current output plane (image * out_channels + channel). */
    int plane() {
        return plane;
    }

    /** The current row block of that plane. */
    int block() {
        return block;
    }

    /** The output channel of the current plane. */
    int channel() {
        return channel;
    }

    /** The input plane (image * in_channels + input channel) the current output plane reads. */
    int inPlane() {
        return inPlane;
    }

    /** Moves to the next unit: the next row block, or the first of the next plane. */
    void next() {
        if (++block < blocks) {
            return;
        }
        block = 0;
        plane++;
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

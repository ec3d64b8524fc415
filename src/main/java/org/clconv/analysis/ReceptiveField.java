package org.clconv.analysis;

import java.util.List;
import org.clconv.Conv2d;

/**
 * The receptive field of a chain of convolutions: how many input pixels (per axis) one output pixel of the
 * last layer sees. Each layer with kernel k, dilation d and stride s widens it by {@code d*(k-1)} times the
 * product of the strides before it (the "jump"), as in the lesson: two 3x3 convs see 5x5; a 3x3 conv with
 * dilation 2 alone sees 5x5.
 */
public final class ReceptiveField {
    private final int height;
    private final int width;
    private final long jumpH;
    private final long jumpW;

    private ReceptiveField(int height, int width, long jumpH, long jumpW) {
        this.height = height;
        this.width = width;
        this.jumpH = jumpH;
        this.jumpW = jumpW;
    }

    /** The receptive field of {@code layers} applied in order (an empty chain sees one pixel). */
    public static ReceptiveField of(List<Conv2d> layers) {
        long rh = 1;
        long rw = 1;
        long jh = 1;
        long jw = 1;
        for (Conv2d c : layers) {
            rh = Math.addExact(rh, Math.multiplyExact((long) c.dilationH() * (c.kernelH() - 1), jh));
            rw = Math.addExact(rw, Math.multiplyExact((long) c.dilationW() * (c.kernelW() - 1), jw));
            jh = Math.multiplyExact(jh, c.strideH());
            jw = Math.multiplyExact(jw, c.strideW());
        }
        return new ReceptiveField(Math.toIntExact(rh), Math.toIntExact(rw), jh, jw);
    }

    public static ReceptiveField of(Conv2d... layers) {
        return of(List.of(layers));
    }

    /** Rows of the input one output pixel depends on. */
    public int height() {
        return height;
    }

    /** Columns of the input one output pixel depends on. */
    public int width() {
        return width;
    }

    /** Input pixels between neighbouring outputs of the last layer (the product of strides), per axis. */
    public long jumpH() {
        return jumpH;
    }

    public long jumpW() {
        return jumpW;
    }

    @Override
    public String toString() {
        return height + "x" + width;
    }
}

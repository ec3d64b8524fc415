package org.clconv.bench;

import java.util.Map;
import org.clconv.Tensor;

/**
 * A workload readied on one target: its output from one run, and the ways to time it, by mode name. The first
 * mode is the target's headline time; e.g. {@code resident} (tensors already on the device) before {@code host}
 * (host tensors in and out, transfers included).
 */
public interface PreparedLayer extends AutoCloseable {
    Tensor output();

    /** Insertion-ordered: the first entry is the headline mode. */
    Map<String, TimedCall> modes();

    /** Releases device copies and compiled models; the default has nothing to release. */
    @Override
    default void close() {
    }
}

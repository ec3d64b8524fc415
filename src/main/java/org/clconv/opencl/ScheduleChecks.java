package org.clconv.opencl;

/** The one check every schedule value shares. */
final class ScheduleChecks {
    private ScheduleChecks() {
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("kernel parameter " + name + " must be positive, got " + value);
        }
    }
}

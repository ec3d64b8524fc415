package org.clconv.opencl;

/** A layer's weight and bias (or {@code null}) on the device. */
record LayerWeights(DeviceBuffer weight, DeviceBuffer bias) {
}

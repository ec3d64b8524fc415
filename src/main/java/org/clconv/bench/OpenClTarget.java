package org.clconv.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clconv.BackendException;
import org.clconv.ConvLayer;
import org.clconv.Tensor;
import org.clconv.opencl.DeviceCeilings;
import org.clconv.opencl.DeviceTensor;
import org.clconv.opencl.OpenClBackend;

/**
 * Times the OpenCL backend three ways: with device-resident tensors (the {@code resident} mode: host wall
 * time of the call and the kernels' device time from profiling events) and through the host API with its
 * transfers ({@code host}). The resident path's output is checked against the host path's before timing.
 */
public final class OpenClTarget extends BackendTarget<OpenClBackend> {
    /** The mode of a call on tensors already on the device. */
    public static final String RESIDENT_MODE = "resident";

    public OpenClTarget(OpenClBackend backend) {
        super(backend, () -> measureCeilings(backend));
    }

    private static Ceilings measureCeilings(OpenClBackend backend) {
        DeviceCeilings measured = DeviceCeilings.measure(backend);
        return new Ceilings(measured.bytesPerSecond(), measured.flopsPerSecond(), measured.bandwidthMethod(),
                measured.fmaMethod());
    }

    @Override
    public String scheduleOf(BenchLayer layer) {
        long tuned = layer.geometries().stream().filter(backend::isTuned).count();
        int stages = layer.geometries().size();
        return tuned == 0 ? "default" : tuned == stages ? "tuned" : "tuned " + tuned + "/" + stages;
    }

    @Override
    public PreparedLayer prepare(Workload workload) {
        Tensor output = workload.runOn(backend);
        Resident resident = new Resident(workload.input(), workload.convLayers());
        try {
            resident.run();
            double error = OutputCheck.relativeL2(backend.download(resident.output()), output);
            if (!OutputCheck.agrees(error)) {
                throw new BackendException("the device-resident path disagrees with the host path on "
                        + workload.layer().name() + ": relative L2 error " + error);
            }
        } catch (RuntimeException e) {
            resident.close();
            throw e;
        }
        Map<String, TimedCall> modes = new LinkedHashMap<>();
        modes.put(RESIDENT_MODE, resident::run);
        modes.put(HostBackendTarget.HOST_MODE, hostCall(workload));
        return new Prepared(output, modes, resident::close);
    }

    /**
     * The input and every stage's output on the device, allocated once: a timed call runs the stages into
     * them, so a separable block's intermediate never leaves the device, and sums their device times.
     */
    private final class Resident implements AutoCloseable {
        private final List<ConvLayer> layers;
        private final List<DeviceTensor> tensors = new ArrayList<>();

        Resident(Tensor input, List<ConvLayer> layers) {
            this.layers = layers;
            try {
                tensors.add(backend.upload(input));
                for (ConvLayer layer : layers) {
                    tensors.add(backend.allocate(layer.bind(tensors.get(tensors.size() - 1).shape()).outputShape()));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        long run() {
            long deviceNanos = 0;
            for (int i = 0; i < layers.size(); i++) {
                deviceNanos += backend.conv2d(layers.get(i), tensors.get(i), tensors.get(i + 1));
            }
            return deviceNanos;
        }

        DeviceTensor output() {
            return tensors.get(tensors.size() - 1);
        }

        @Override
        public void close() {
            tensors.forEach(DeviceTensor::close);
        }
    }
}

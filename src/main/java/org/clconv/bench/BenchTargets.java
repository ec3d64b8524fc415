package org.clconv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.clconv.BackendException;
import org.clconv.cpu.CpuBackend;
import org.clconv.opencl.OpenClBackend;

/** Opens the clconv backends as bench targets, by name, with the CPU backend's thread count. */
public final class BenchTargets {
    /** Every backend the bench knows, in report order: the CPU backend first, as the reference. */
    public static final List<String> ALL = List.of("cpu", "opencl");

    private BenchTargets() {
    }

    /** Opens one backend; throws {@link BackendException} with the reason when it cannot start here. */
    public static BenchTarget open(String name, String device, int threads) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "cpu":
                return new HostBackendTarget(new CpuBackend(threads), () -> CpuCeilings.measure(threads));
            case "opencl":
                return new OpenClTarget(OpenClBackend.open(device));
            default:
                throw new IllegalArgumentException("--backend must be among " + ALL + ", got '" + name + "'");
        }
    }

    /**
     * Opens every named backend. With {@code names} empty, opens all that start here and reports on
     * {@code skipped} why the others did not; a backend asked for by name must start.
     */
    public static List<BenchTarget> openAll(List<String> names, String device, int threads, List<String> skipped) {
        List<BenchTarget> targets = new ArrayList<>();
        try {
            for (String name : names.isEmpty() ? ALL : names) {
                try {
                    targets.add(open(name, device, threads));
                } catch (BackendException e) {
                    if (!names.isEmpty()) {
                        throw e;
                    }
                    skipped.add(name + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            targets.forEach(BenchTarget::close);
            throw e;
        }
        return targets;
    }
}

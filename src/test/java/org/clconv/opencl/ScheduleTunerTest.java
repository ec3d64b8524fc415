package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.assertClose;
import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.clconv.Conv2d;
import org.clconv.ConvGeometry;
import org.clconv.ConvLayer;
import org.clconv.Padding;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.clconv.cpu.CpuBackend;
import org.jocl.CL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tuner keeps only candidates whose output matches the CPU backend, and the backend runs what the tuning
 * cache holds. Tiny search spaces on small layers: each candidate is a program build.
 */
class ScheduleTunerTest {
    private static final ConvLayer DEPTHWISE = layer(Conv2d.depthwise(6, 1, 3, 3).padding(Padding.of(1)).build(), 11);
    private static final Shape DEPTHWISE_INPUT = Shape.of(1, 6, 13, 21);
    private static final ConvLayer POINTWISE = layer(Conv2d.pointwise(12, 20).build(), 12);
    private static final Shape POINTWISE_INPUT = Shape.of(1, 12, 9, 7);

    @TempDir
    Path dir;

    @Test
    void aWrongCandidateIsRejectedAndNeverWins() {
        KernelParams defaults = KernelParams.CPU_DEFAULTS;
        KernelParams other = defaults.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1));
        KernelParams wrong = defaults.with(DepthwiseSchedule.staged(16, 1, 1, 1, 16, 2));
        Tensor input = random(DEPTHWISE_INPUT, 3);
        try (OpenClBackend backend = OpenClTesting.fresh(defaults); CpuBackend cpu = new CpuBackend(1)) {
            // The injected fault: one candidate's output is off by 0.1% (as a wrong kernel would be), and it
            // claims to be fast by being checked like any other.
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 3, (candidate, output) ->
                    candidate.equals(wrong) ? perturbed(output, 1e-3) : output);
            ScheduleTuner.Result result = tuner.tune(DEPTHWISE, input, List.of(defaults, other, wrong));

            assertEquals(3, result.trials().size());
            ScheduleTuner.Trial rejected = result.trials().get(2);
            assertFalse(rejected.accepted(), "the corrupted candidate must be rejected: " + rejected);
            assertTrue(rejected.error() > ScheduleTuner.TOLERANCE);
            assertNotEquals(wrong, result.winner());
            for (ScheduleTuner.Trial t : result.trials().subList(0, 2)) {
                assertTrue(t.accepted() && t.error() <= ScheduleTuner.TOLERANCE && t.millis() > 0, t.toString());
            }
            assertTrue(result.winner().equals(defaults) || result.winner().equals(other));
            // ranked by time relative to the default's in the same round: the default's ratio is 1, the winner's
            // the lowest, and an untimed candidate has none
            assertEquals(1.0, result.trials().get(0).relative());
            assertEquals(Math.min(1.0, result.trials().get(1).relative()), result.winnerTrial().relative());
            assertTrue(Double.isNaN(rejected.relative()), rejected.toString());
        }
    }

    /** A default that fails while it is timed leaves the first candidate timed in every round as the reference. */
    @Test
    void aFailingDefaultHandsTheReferenceToTheNextCandidate() {
        KernelParams defaults = KernelParams.CPU_DEFAULTS;
        KernelParams other = defaults.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1));
        Tensor input = random(DEPTHWISE_INPUT, 7);
        try (OpenClBackend backend = OpenClTesting.fresh(defaults); CpuBackend cpu = new CpuBackend(1)) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 3);
            ScheduleTuner.Result result;
            // launches: the two checks, then rounds of (defaults, other): the third is the default's first timed run
            try (InjectedFault fault = InjectedFault.nth("clEnqueueNDRangeKernel", 3, CL.CL_OUT_OF_RESOURCES)) {
                result = tuner.tune(DEPTHWISE, input, List.of(defaults, other));
                assertEquals(1, fault.fired());
            }
            assertFalse(result.trials().get(0).accepted(), result.trials().get(0).toString());
            assertEquals(other, result.winner());
            assertEquals(1.0, result.winnerTrial().relative());
        }
    }

    /**
     * A candidate that passed its check but fails on the device while it is timed is rejected with the device's
     * error, and the tuning goes on with the others.
     */
    @Test
    void aCandidateFailingWhileTimedIsRejectedAndTheOthersStillCompete() {
        KernelParams defaults = KernelParams.CPU_DEFAULTS;
        KernelParams other = defaults.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1));
        Tensor input = random(DEPTHWISE_INPUT, 6);
        try (OpenClBackend backend = OpenClTesting.fresh(defaults); CpuBackend cpu = new CpuBackend(1)) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 3);
            ScheduleTuner.Result result;
            // launches: the two checks, then rounds of (defaults, other): the fourth is other's first timed run
            try (InjectedFault fault = InjectedFault.nth("clEnqueueNDRangeKernel", 4, CL.CL_OUT_OF_RESOURCES)) {
                result = tuner.tune(DEPTHWISE, input, List.of(defaults, other));
                assertEquals(1, fault.fired());
            }
            ScheduleTuner.Trial failed = result.trials().get(1);
            assertFalse(failed.accepted(), failed.toString());
            assertTrue(failed.rejected().contains("CL_OUT_OF_RESOURCES"), failed.rejected());
            assertEquals(defaults, result.winner());
            assertTrue(result.trials().get(0).millis() > 0, result.trials().get(0).toString());
        }
    }

    /**
     * Past {@link ScheduleTuner#FINALISTS} accepted candidates, the default and the best others run a final in
     * more rounds, which picks the winner: a default failing there (the first launch after the checks and one
     * round of six) is rejected, and a finalist wins on the final's own reference.
     */
    @Test
    void theFinalPicksTheWinnerAmongTheBestFew() {
        KernelParams defaults = KernelParams.CPU_DEFAULTS;
        List<KernelParams> candidates = List.of(defaults,
                defaults.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1)),
                defaults.with(DepthwiseSchedule.staged(8, 2, 1, 1, 8, 1)),
                defaults.with(DepthwiseSchedule.staged(4, 4, 1, 1, 8, 2)),
                defaults.with(DepthwiseSchedule.staged(8, 4, 1, 1, 16, 1)),
                defaults.with(DepthwiseSchedule.staged(4, 1, 1, 1, 4, 1)));
        Tensor input = random(DEPTHWISE_INPUT, 8);
        try (OpenClBackend backend = OpenClTesting.fresh(defaults); CpuBackend cpu = new CpuBackend(1)) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 1);
            ScheduleTuner.Result result;
            try (InjectedFault fault = InjectedFault.nth("clEnqueueNDRangeKernel", 13, CL.CL_OUT_OF_RESOURCES)) {
                result = tuner.tune(DEPTHWISE, input, candidates);
                assertEquals(1, fault.fired());
            }
            ScheduleTuner.Trial first = result.trials().get(0);
            assertFalse(first.accepted(), first.toString());
            assertTrue(first.rejected().contains("CL_OUT_OF_RESOURCES"), first.rejected());
            assertEquals(6, result.trials().size());
            assertEquals(5, result.trials().stream().filter(ScheduleTuner.Trial::accepted).count());
            assertNotEquals(defaults, result.winner());
            assertTrue(result.winnerTrial().relative() <= 1.0, result.winnerTrial().toString());
        }
    }

    /** Every finalist failing on the device in the final (its first round) leaves the others of the first ranking. */
    @Test
    void finalistsAllFailingLeaveTheFirstRankingsSurvivors() {
        KernelParams defaults = KernelParams.CPU_DEFAULTS;
        List<KernelParams> candidates = List.of(defaults,
                defaults.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1)),
                defaults.with(DepthwiseSchedule.staged(8, 2, 1, 1, 8, 1)),
                defaults.with(DepthwiseSchedule.staged(4, 4, 1, 1, 8, 2)),
                defaults.with(DepthwiseSchedule.staged(8, 4, 1, 1, 16, 1)),
                defaults.with(DepthwiseSchedule.staged(4, 1, 1, 1, 4, 1)));
        Tensor input = random(DEPTHWISE_INPUT, 9);
        try (OpenClBackend backend = OpenClTesting.fresh(defaults); CpuBackend cpu = new CpuBackend(1)) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 1);
            ScheduleTuner.Result result;
            try (InjectedFault fault = InjectedFault.calls("clEnqueueNDRangeKernel", 13, 4, CL.CL_OUT_OF_RESOURCES)) {
                result = tuner.tune(DEPTHWISE, input, candidates);
                assertEquals(4, fault.fired());
            }
            assertEquals(2, result.trials().stream().filter(ScheduleTuner.Trial::accepted).count());
            assertTrue(result.winnerTrial() != null && result.winnerTrial().accepted(), result.toString());
        }
    }

    @Test
    void noWinnerWhenEveryCandidateIsWrong() {
        try (OpenClBackend backend = OpenClTesting.fresh(KernelParams.CPU_DEFAULTS); CpuBackend cpu = new CpuBackend(1)) {
            ScheduleTuner tuner = new ScheduleTuner(backend, cpu, 1, (candidate, output) -> perturbed(output, 1e-2));
            ScheduleTuner.Result result = tuner.tune(POINTWISE, random(POINTWISE_INPUT, 4),
                    List.of(KernelParams.CPU_DEFAULTS));
            assertNull(result.winner());
            assertFalse(result.trials().get(0).accepted());
        }
    }

    @Test
    void theSearchSpaceStartsWithTheDefaultsAndFitsTheDevice() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            for (ConvGeometry g : List.of(DEPTHWISE.bind(DEPTHWISE_INPUT), POINTWISE.bind(POINTWISE_INPUT))) {
                List<KernelParams> candidates = new ScheduleTuner(backend, backend, 1).candidates(g);
                assertEquals(backend.params(), candidates.get(0));
                assertTrue(candidates.size() > 1, "something to search for " + g);
                candidates.forEach(p -> p.checkFits(backend.device()));
            }
        }
    }

    @Test
    void theBackendRunsTheTunedScheduleFromTheCacheFile() throws IOException {
        Path file = dir.resolve("tuning.json");
        DeviceInfo device = OpenClTesting.shared().device();
        KernelParams tunedParams = KernelParams.CPU_DEFAULTS.with(new GemmSchedule(false, 4, 8, 16, 4, 8));
        ConvGeometry pointwise = POINTWISE.bind(POINTWISE_INPUT);
        TuningCache written = TuningCache.load(file, device);
        written.put(pointwise, tunedParams);
        written.save();

        String previous = System.getProperty(TuningCache.PROPERTY);
        System.setProperty(TuningCache.PROPERTY, file.toString());
        try (OpenClBackend backend = new OpenClBackend(device)) {
            assertTrue(backend.isTuned(pointwise));
            assertFalse(backend.isTuned(DEPTHWISE.bind(DEPTHWISE_INPUT)), "only the tuned shape");
            assertEquals(tunedParams.gemm(), backend.paramsFor(pointwise).gemm());
            assertEquals(backend.params(), backend.paramsFor(DEPTHWISE.bind(DEPTHWISE_INPUT)));
            Tensor input = random(POINTWISE_INPUT, 5);
            assertClose(reference(POINTWISE, input), backend.conv2d(POINTWISE, input), "tuned pointwise");
        } finally {
            if (previous == null) {
                System.clearProperty(TuningCache.PROPERTY);
            } else {
                System.setProperty(TuningCache.PROPERTY, previous);
            }
        }
    }

    @Test
    void anotherDriversOrABrokenCacheIsIgnored() throws IOException {
        DeviceInfo device = OpenClTesting.shared().device();
        ConvGeometry pointwise = POINTWISE.bind(POINTWISE_INPUT);
        Path file = dir.resolve("tuning.json");
        TuningCache written = TuningCache.load(file, device);
        written.put(pointwise, KernelParams.CPU_DEFAULTS);
        written.save();
        Files.writeString(file, Files.readString(file).replace(device.driverVersion(), "some other driver"));
        assertFalse(TuningCache.load(file, device).has(pointwise));

        Files.writeString(file, "{\"device\": ");
        assertEquals(0, TuningCache.load(file, device).size());
        assertEquals(0, TuningCache.load(dir.resolve("missing.json"), device).size());
    }

    private static Tensor perturbed(Tensor t, double relative) {
        float[] data = t.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] += (float) (relative * (i % 2 == 0 ? 1 : -1) * (1 + Math.abs(data[i])));
        }
        return new Tensor(t.shape(), data);
    }
}

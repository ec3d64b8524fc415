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
    private static final KernelParams OTHER =
            KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.staged(4, 2, 1, 1, 8, 1));
    /** The defaults and five other depthwise schedules: more than the tuner's final takes. */
    private static final List<KernelParams> SIX_SCHEDULES = List.of(KernelParams.CPU_DEFAULTS,
            OTHER,
            KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.staged(8, 2, 1, 1, 8, 1)),
            KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.staged(4, 4, 1, 1, 8, 2)),
            KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.staged(8, 4, 1, 1, 16, 1)),
            KernelParams.CPU_DEFAULTS.with(DepthwiseSchedule.staged(4, 1, 1, 1, 4, 1)));

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
        // launches: the two checks, then rounds of (defaults, other): the third is the default's first timed run
        ScheduleTuner.Result result = tuneWithFaults(List.of(KernelParams.CPU_DEFAULTS, OTHER), 3, 1, 7);
        assertFalse(result.trials().get(0).accepted(), result.trials().get(0).toString());
        assertEquals(OTHER, result.winner());
        assertEquals(1.0, result.winnerTrial().relative());
    }

    /**
     * A candidate that passed its check but fails on the device while it is timed is rejected with the device's
     * error, and the tuning goes on with the others.
     */
    @Test
    void aCandidateFailingWhileTimedIsRejectedAndTheOthersStillCompete() {
        // launches: the two checks, then rounds of (defaults, other): the fourth is other's first timed run
        ScheduleTuner.Result result = tuneWithFaults(List.of(KernelParams.CPU_DEFAULTS, OTHER), 4, 1, 6);
        ScheduleTuner.Trial failed = result.trials().get(1);
        assertFalse(failed.accepted(), failed.toString());
        assertTrue(failed.rejected().contains("CL_OUT_OF_RESOURCES"), failed.rejected());
        assertEquals(KernelParams.CPU_DEFAULTS, result.winner());
        assertTrue(result.trials().get(0).millis() > 0, result.trials().get(0).toString());
    }

    /**
     * Past {@link ScheduleTuner#FINALISTS} accepted candidates, the default and the best others run a final in
     * more rounds, which picks the winner: a default failing there (the first launch after the checks and one
     * round of six) is rejected, and a finalist wins on the final's own reference.
     */
    @Test
    void theFinalPicksTheWinnerAmongTheBestFew() {
        ScheduleTuner.Result result = tuneWithFaults(SIX_SCHEDULES, 13, 1, 8);
        ScheduleTuner.Trial first = result.trials().get(0);
        assertFalse(first.accepted(), first.toString());
        assertTrue(first.rejected().contains("CL_OUT_OF_RESOURCES"), first.rejected());
        assertEquals(5, result.trials().stream().filter(ScheduleTuner.Trial::accepted).count());
        assertNotEquals(KernelParams.CPU_DEFAULTS, result.winner());
        assertTrue(result.winnerTrial().relative() <= 1.0, result.winnerTrial().toString());
    }

    /** Every finalist failing on the device in the final (its first round) leaves the others of the first ranking. */
    @Test
    void finalistsAllFailingLeaveTheFirstRankingsSurvivors() {
        ScheduleTuner.Result result = tuneWithFaults(SIX_SCHEDULES, 13, 4, 9);
        assertEquals(2, result.trials().stream().filter(ScheduleTuner.Trial::accepted).count());
        assertTrue(result.winnerTrial() != null && result.winnerTrial().accepted(), result.toString());
    }

    /**
     * Tunes the depthwise test layer over the candidates in one round each, with CL_OUT_OF_RESOURCES injected into
     * {@code count} kernel launches from the {@code first}-th (all of which must happen).
     */
    private static ScheduleTuner.Result tuneWithFaults(List<KernelParams> candidates, int first, int count, int seed) {
        Tensor input = random(DEPTHWISE_INPUT, seed);
        try (OpenClBackend backend = OpenClTesting.fresh(KernelParams.CPU_DEFAULTS);
                CpuBackend cpu = new CpuBackend(1);
                InjectedFault fault = InjectedFault.calls("clEnqueueNDRangeKernel", first, count,
                        CL.CL_OUT_OF_RESOURCES)) {
            ScheduleTuner.Result result = new ScheduleTuner(backend, cpu, 1).tune(DEPTHWISE, input, candidates);
            assertEquals(count, fault.fired());
            return result;
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
    void flatPlanesAreSearchedOnlyForLayersTheyTake() {
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            ScheduleTuner tuner = new ScheduleTuner(backend, backend, 1);
            ConvGeometry same = DEPTHWISE.bind(DEPTHWISE_INPUT);
            ConvGeometry strided = Conv2d.depthwise(6, 1, 3, 3).stride(2, 2).padding(Padding.of(1)).build()
                    .bind(DEPTHWISE_INPUT);
            long flatDefaults = backend.params().depthwise().layout() == DepthwiseSchedule.Layout.FLAT ? 1 : 0;
            assertTrue(flatCandidates(tuner.candidates(same)) > flatDefaults);
            assertEquals(flatDefaults, flatCandidates(tuner.candidates(strided)), "none but the defaults");
        }
    }

    private static long flatCandidates(List<KernelParams> candidates) {
        return candidates.stream().filter(p -> p.depthwise().layout() == DepthwiseSchedule.Layout.FLAT).count();
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

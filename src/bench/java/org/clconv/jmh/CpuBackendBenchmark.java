package org.clconv.jmh;

import java.util.concurrent.TimeUnit;
import org.clconv.Tensor;
import org.clconv.bench.BenchLayer;
import org.clconv.bench.Suites;
import org.clconv.bench.Workload;
import org.clconv.cpu.CpuBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU backend's hot paths, one default-suite layer per path: depthwise 3x3 (stride 1 on 28x28 rows and on
 * runs of whole 7x7 planes, stride 2 in place, and 5x5 dilated), pointwise GEMM (small and large channel counts),
 * Winograd F(4x4, 3x3) (dense 3x3), the implicit GEMM (dilated ASPP) and the separable block; on one thread (the
 * kernels' own efficiency) and on every core (the parallel split). Run with {@code scripts/jmh.sh} (JMH options
 * pass through, e.g. {@code -p layer=mb_pw256 -prof perfasm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CpuBackendBenchmark {
    @Param({"mb_dw256", "mb_dw1024", "mb_dw64s2", "dw5x5_d2", "seed_pw", "mb_pw256", "res3x3", "aspp_d12",
        "sep_block"})
    public String layer;

    @Param({"1", "0"})
    public int threads;

    private CpuBackend backend;
    private Workload workload;

    /** {@code threads} 0 means every available processor, the backend's default. */
    @Setup(Level.Trial)
    public void setUp() {
        backend = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
        BenchLayer chosen = Suites.defaultSuite().filter(layer).layers().get(0);
        workload = chosen.materialize(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public Tensor conv() {
        return workload.runOn(backend);
    }
}

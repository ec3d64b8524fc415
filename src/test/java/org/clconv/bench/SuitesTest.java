package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.clconv.Conv2d;
import org.clconv.InvalidConvolutionException;
import org.clconv.Shape;
import org.junit.jupiter.api.Test;

class SuitesTest {
    private final Suite suite = Suites.defaultSuite();

    private BenchLayer layer(Suite s, String name) {
        return s.layers().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void defaultSuiteHasTheIssuesLayersInOrder() {
        assertEquals(List.of("seed_dw", "seed_pw", "mb_dw32", "mb_pw32_64", "mb_dw64s2", "mb_pw64_128", "mb_dw256",
                "mb_pw256", "mb_dw512", "mb_pw512", "mb_dw1024", "mb_pw1024", "aspp_d6", "aspp_d12", "aspp_d18",
                "res3x3", "dw5x5_d2", "b32_dw256", "b32_pw256", "sep_block"),
                suite.layers().stream().map(BenchLayer::name).toList());
    }

    @Test
    void layersHaveTheListedGeometry() {
        BenchLayer dw = layer(suite, "mb_dw64s2");
        assertEquals(Shape.of(1, 64, 56, 56), dw.outputShape());
        assertEquals(64, dw.stages().get(0).groups());
        BenchLayer aspp = layer(suite, "aspp_d12");
        assertEquals(12, aspp.stages().get(0).dilationH());
        assertEquals(Shape.of(1, 256, 33, 33), aspp.outputShape());
        BenchLayer dw5 = layer(suite, "dw5x5_d2");
        assertEquals(Shape.of(1, 128, 56, 56), dw5.outputShape());
        assertTrue(suite.layers().stream().allMatch(l -> l.stages().stream().allMatch(Conv2d::hasBias)));
    }

    @Test
    void flopsAndMinimumBytesCountEveryElementOnce() {
        BenchLayer pw = layer(suite, "seed_pw");
        long pixels = 128 * 128;
        assertEquals(2L * pixels * 10 * 3, pw.flops());
        assertEquals(4L * (3 * pixels + 10 * pixels + 10 * 3 + 10), pw.minimumBytes());
    }

    @Test
    void separableBlockIsBothStagesWithoutTheIntermediate() {
        BenchLayer block = layer(suite, "sep_block");
        BenchLayer dw = layer(suite, "mb_dw256");
        BenchLayer pw = layer(suite, "mb_pw256");
        assertTrue(block.isSeparable());
        assertEquals(dw.flops() + pw.flops(), block.flops());
        long intermediate = 256L * 28 * 28;
        assertEquals(dw.minimumBytes() + pw.minimumBytes() - 2 * 4 * intermediate, block.minimumBytes());
    }

    @Test
    void gpuSuiteScalesTheBatchWithinItsBudget() {
        Suite gpu = Suites.gpuSuite();
        assertEquals(suite.layers().size(), gpu.layers().size());
        for (BenchLayer l : gpu.layers()) {
            int batch = l.inputShape().dim(0);
            assertTrue(batch >= Suites.GPU_MIN_BATCH, l.toString());
            assertEquals(0, batch & (batch - 1), "power of two: " + l);
            assertTrue(l.minimumBytes() <= Suites.GPU_MAX_BYTES || batch == Suites.GPU_MIN_BATCH, l.toString());
            assertTrue(l.withBatch(batch * 2).minimumBytes() > Suites.GPU_MAX_BYTES, "largest batch: " + l);
        }
        assertEquals(layer(suite, "mb_dw32").stages(), layer(gpu, "mb_dw32").stages());
    }

    @Test
    void modelsSuiteHasTheOtherNetworksLayers() throws Exception {
        Suite models = Suites.resolve("models");
        assertEquals(List.of("stem_s2", "en_dw3s2", "en_dw5s2", "en_dw5_28", "en_dw5_14", "cnx_dw7", "dw3_d2",
                "dw3_mult2"), models.layers().stream().map(BenchLayer::name).toList());
        assertEquals(Shape.of(1, 32, 112, 112), layer(models, "stem_s2").outputShape());
        assertEquals(Shape.of(1, 144, 28, 28), layer(models, "en_dw5s2").outputShape());
        assertEquals(Shape.of(1, 96, 56, 56), layer(models, "cnx_dw7").outputShape());
        assertEquals(Shape.of(1, 128, 56, 56), layer(models, "dw3_mult2").outputShape());
        assertEquals(2, layer(models, "dw3_d2").stages().get(0).dilationH());
    }

    @Test
    void filterMatchesWildcardsAndLists() {
        assertEquals(List.of("aspp_d6", "aspp_d12", "aspp_d18", "sep_block"),
                suite.filter("ASPP_*, sep_block").layers().stream().map(BenchLayer::name).toList());
        assertEquals(List.of("mb_dw64s2"), suite.filter("*s2").layers().stream().map(BenchLayer::name).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> suite.filter("nothing*"));
        assertTrue(e.getMessage().contains("seed_dw"), e.getMessage());
    }

    @Test
    void sameSeedGivesTheSameData() {
        BenchLayer l = layer(suite, "seed_dw");
        assertEquals(l.materialize(7).input().data()[123], l.materialize(7).input().data()[123]);
        assertTrue(l.materialize(7).input().data()[123] != l.materialize(8).input().data()[123]);
    }

    @Test
    void separableChecksItsStages() {
        Conv2d dense = Conv2d.builder(8, 8, 3).padding(1).build();
        assertThrows(InvalidConvolutionException.class,
                () -> BenchLayer.separable("bad", Shape.of(1, 8, 9, 9), dense, Conv2d.pointwise(8, 8).build()));
    }

    @Test
    void unknownSuiteNameIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suites.resolve("nope"));
        assertTrue(e.getMessage().contains("'default', 'gpu', 'models'"), e.getMessage());
    }
}

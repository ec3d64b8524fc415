package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.Padding;
import org.clconv.PaddingMode;
import org.clconv.Shape;
import org.junit.jupiter.api.Test;

class SuiteFileTest {
    @Test
    void parsesDefaultsAndEveryKey() {
        Suite s = SuiteFile.parse("{\"name\": \"mine\", \"layers\": ["
                + "{\"name\": \"plain\", \"input\": [2, 4, 10, 12], \"out_channels\": 6},"
                + "{\"name\": \"full\", \"input\": [1, 4, 9, 9], \"out_channels\": 8, \"kernel\": [3, 5], \"stride\": 2,"
                + " \"padding\": [1, 2], \"dilation\": [1, 2], \"groups\": 2, \"bias\": false,"
                + " \"padding_mode\": \"reflect\", \"activation\": \"relu6\"},"
                + "{\"name\": \"same\", \"input\": [1, 4, 9, 9], \"out_channels\": 4, \"kernel\": 3, \"padding\": \"same\"}"
                + "]}", "unused");
        assertEquals("mine", s.name());
        Conv2d plain = s.layers().get(0).stages().get(0);
        assertEquals(Conv2d.builder(4, 6, 1).build(), plain);
        Conv2d full = s.layers().get(1).stages().get(0);
        assertEquals(Conv2d.builder(4, 8, 3, 5).stride(2).padding(1, 2).dilation(1, 2).groups(2).bias(false)
                .paddingMode(PaddingMode.REFLECT).activation(Activation.RELU6).build(), full);
        assertEquals(Padding.same(), s.layers().get(2).stages().get(0).padding());
        assertEquals(Shape.of(2, 4, 10, 12), s.layers().get(0).inputShape());
    }

    @Test
    void roundTripsTheBuiltInSuites() {
        for (Suite suite : List.of(Suites.defaultSuite(), Suites.gpuSuite())) {
            Suite back = SuiteFile.parse(Json.write(SuiteFile.toJson(suite)), "x");
            assertEquals(suite.name(), back.name());
            assertEquals(suite.layers().size(), back.layers().size());
            for (int i = 0; i < suite.layers().size(); i++) {
                BenchLayer a = suite.layers().get(i);
                BenchLayer b = back.layers().get(i);
                assertEquals(a.name(), b.name());
                assertEquals(a.inputShape(), b.inputShape());
                assertEquals(a.stages(), b.stages());
            }
        }
    }

    @Test
    void separableStagesChainTheirChannels() {
        Suite s = SuiteFile.parse("{\"layers\": [{\"name\": \"sep\", \"input\": [1, 16, 8, 8], \"separable\": ["
                + "{\"out_channels\": 32, \"kernel\": 3, \"padding\": 1, \"groups\": 16}, {\"out_channels\": 24}]}]}", "file");
        assertEquals("file", s.name());
        BenchLayer sep = s.layers().get(0);
        assertTrue(sep.isSeparable());
        assertEquals(32, sep.stages().get(1).inChannels());
        assertEquals(Shape.of(1, 24, 8, 8), sep.outputShape());
    }

    @Test
    void errorsNameTheLayerAndTheKey() {
        assertMessage("{\"layers\": [{\"name\": \"a\", \"input\": [1, 4, 8, 8], \"out_channels\": 4, \"kernal\": 3}]}",
                "unknown key 'kernal'");
        assertMessage("{\"layers\": [{\"name\": \"a\", \"input\": [1, 4, 8], \"out_channels\": 4}]}",
                "'input' must have 4 numbers");
        assertMessage("{\"layers\": [{\"name\": \"a\", \"input\": [1, 4, 8, 8], \"out_channels\": 4.5}]}",
                "'out_channels' must be an integer");
        assertMessage("{\"layers\": [{\"name\": \"a\", \"input\": [1, 4, 8, 8], \"out_channels\": 4, \"kernel\": 9}]}",
                "layer #0 (a)");
        assertMessage("{\"layers\": [{\"name\": \"a\", \"input\": [1, 4, 8, 8], \"out_channels\": 4, \"in_channels\": 3}]}",
                "'in_channels' is 3");
        assertMessage("{\"layers\": {}}", "'layers' must be a JSON array");
    }

    private static void assertMessage(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SuiteFile.parse(json, "x"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

package org.clconv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"y\\u0041\\n\"}, \"d\": []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1.0, -2500.0, true, false, null), m.get("a"));
        assertEquals("x\"yA\n", ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(List.of(), m.get("d"));
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\tname");
        m.put("ints", List.of(1, 2, 3));
        m.put("ratio", 0.125);
        m.put("big", 1.5e12);
        m.put("tiny", 3.25e-7);
        m.put("nested", List.of(Map.of("k", true)));
        m.put("missing", null);
        Map<?, ?> back = (Map<?, ?>) Json.parse(Json.write(m));
        assertEquals("a \"quoted\"\tname", back.get("name"));
        assertEquals(List.of(1.0, 2.0, 3.0), back.get("ints"));
        assertEquals(0.125, back.get("ratio"));
        assertEquals(1.5e12, back.get("big"));
        assertEquals(3.25e-7, (Double) back.get("tiny"), 1e-18);
        assertEquals(List.of(Map.of("k", true)), back.get("nested"));
        assertTrue(back.containsKey("missing"));
    }

    @Test
    void writesNumbersJsonAllows() {
        // six significant digits that round to a whole number keep no bare point ("22." is not JSON)
        assertEquals("[22, 1e+06, 0.0001, 2.5, -0.125, 1.23457e-07]\n",
                Json.write(List.of(21.9999999, 1.0000001e6, 0.00010000001, 2.5, -0.125, 1.234567e-7)));
    }

    @Test
    void writesNonFiniteNumbersAsNull() {
        assertEquals("[null, null]\n", Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY)));
    }

    @Test
    void errorsNameTheOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertTrue(e.getMessage().contains("offset 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"open"));
    }
}

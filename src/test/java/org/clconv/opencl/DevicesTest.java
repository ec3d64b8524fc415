package org.clconv.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.clconv.Backends;
import org.clconv.ConvBackend;
import org.clconv.InvalidConvolutionException;
import org.junit.jupiter.api.Test;

/** Device discovery, selection and the listing of the {@code devices} command. */
class DevicesTest {
    @Test
    void selectsByIndexOrCaseInsensitiveNameAndPrefersTheDefaultClass() {
        OpenClTesting.shared();
        List<DeviceInfo> all = Devices.all();
        assertFalse(all.isEmpty());
        DeviceInfo first = all.get(0);
        assertSame(first, Devices.select("0"));
        assertSame(first, Devices.select(" " + first.name().toUpperCase(Locale.ROOT) + " "));
        DeviceInfo preferred = Devices.defaultDevice();
        assertTrue(all.stream().allMatch(d -> preferred.kind().compareTo(d.kind()) <= 0),
                "the default is of the most preferred class present: " + preferred);
    }

    @Test
    void aSelectorMatchingNothingListsTheDevices() {
        OpenClTesting.shared();
        InvalidConvolutionException e = assertThrows(InvalidConvolutionException.class,
                () -> Devices.select("no-such-device-anywhere"));
        assertTrue(e.getMessage().contains("no-such-device-anywhere") && e.getMessage().contains("--device"),
                e.getMessage());
        assertTrue(e.getMessage().contains(Devices.all().get(0).name()), e.getMessage());
        assertThrows(InvalidConvolutionException.class, () -> Devices.select(Integer.toString(Devices.all().size())));
        assertThrows(InvalidConvolutionException.class, () -> Backends.create("opencl", "no-such-device-anywhere"));
    }

    @Test
    void listingDescribesEachDeviceAndMarksTheDefault() {
        OpenClTesting.shared();
        List<String> lines = Backends.describeAvailable();
        DeviceInfo d = Devices.all().get(0);
        String line = lines.stream().filter(l -> l.contains(d.name())).findFirst().orElseThrow();
        for (String expected : List.of(d.platformName(), "compute units", "max work-group", "global", "local",
                d.openClCVersion(), "fp16", "fp64")) {
            assertTrue(line.contains(expected), "'" + expected + "' missing from: " + line);
        }
        assertEquals(1, lines.stream().filter(l -> l.contains("default")).count(), String.join("\n", lines));
    }

    @Test
    void autoChoosesOpenClWhenADeviceIsUsable() {
        OpenClTesting.shared();
        try (ConvBackend auto = Backends.create("auto", null)) {
            assertEquals("opencl", auto.name());
        }
    }
}

package org.clconv.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.clconv.ConvGeometry;
import org.clconv.bench.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tuned schedules of one device, per layer shape, in a JSON file: by default
 * {@code ~/.cache/clconv/tuning-<device>.json}, else the system property {@value #PROPERTY} or the environment
 * variable {@value #ENVIRONMENT}. The file names the device and its driver version; entries made under another
 * driver are ignored (a new driver compiles differently). A missing file is an empty cache; an unreadable one
 * is logged and ignored, never fatal: the defaults still run. Thread-safe.
 */
public final class TuningCache {
    public static final String PROPERTY = "clconv.tuningCache";
    public static final String ENVIRONMENT = "CLCONV_TUNING_CACHE";
    private static final Logger LOG = LoggerFactory.getLogger(TuningCache.class);

    private final Path file;
    private final DeviceInfo device;
    private final String deviceName;
    private final String driverVersion;
    private final Map<String, Map<String, Object>> entries = new ConcurrentHashMap<>();

    private TuningCache(Path file, DeviceInfo device) {
        this.file = file;
        this.device = device;
        this.deviceName = device.name();
        this.driverVersion = device.driverVersion();
    }

    /** The cache file of {@code device}: the configured path, else the per-device file under the user's cache. */
    public static Path defaultPath(DeviceInfo device) {
        String configured = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String sanitised = device.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return Path.of(System.getProperty("user.home"), ".cache", "clconv", "tuning-" + sanitised + ".json");
    }

    /** The entries of {@code file} for {@code device} (none when the file is missing, unreadable or another driver's). */
    public static TuningCache load(Path file, DeviceInfo device) {
        TuningCache cache = new TuningCache(file, device);
        if (!Files.exists(file)) {
            return cache;
        }
        try {
            cache.read(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring the tuning cache {}: {}", file, e.getMessage());
            cache.entries.clear();
        }
        return cache;
    }

    public Path file() {
        return file;
    }

    public int size() {
        return entries.size();
    }

    /** Whether a tuned schedule exists for this layer shape. */
    public boolean has(ConvGeometry geometry) {
        return entries.containsKey(key(geometry));
    }

    /** {@code defaults} with the tuned schedule of this layer shape's family in place, where there is one. */
    KernelParams paramsFor(ConvGeometry geometry, KernelParams defaults) {
        Map<String, Object> entry = entries.get(key(geometry));
        if (entry == null) {
            return defaults;
        }
        return KernelFamily.of(geometry.spec()) == KernelFamily.DEPTHWISE
                ? defaults.with(ScheduleJson.depthwise(entry)) : defaults.with(ScheduleJson.gemm(entry));
    }

    /** Records the winner for this layer shape (its family's schedule); {@link #save()} writes the file. */
    public void put(ConvGeometry geometry, KernelParams winner) {
        entries.put(key(geometry), KernelFamily.of(geometry.spec()) == KernelFamily.DEPTHWISE
                ? ScheduleJson.of(winner.depthwise()) : ScheduleJson.of(winner.gemm()));
    }

    /** Writes every entry, atomically (a temporary file in the same folder, then a rename). */
    public void save() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("device", deviceName);
        root.put("driver", driverVersion);
        root.put("layers", new TreeMap<>(entries));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, Json.write(root), StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The shape a schedule is tuned for: the whole spec (every define the program gets) and the input shape. */
    static String key(ConvGeometry geometry) {
        return geometry.inputShape() + " " + geometry.spec();
    }

    @SuppressWarnings("unchecked")
    private void read(Object json) {
        Map<String, Object> root = (Map<String, Object>) json;
        if (!deviceName.equals(root.get("device")) || !driverVersion.equals(root.get("driver"))) {
            LOG.info("tuning cache {} is for {} driver {}, not {} driver {}: not used", file, root.get("device"),
                    root.get("driver"), deviceName, driverVersion);
            return;
        }
        Map<String, Object> layers = (Map<String, Object>) root.get("layers");
        if (layers == null) {
            throw new IllegalArgumentException("no 'layers' object");
        }
        for (Map.Entry<String, Object> e : layers.entrySet()) {
            Map<String, Object> entry = (Map<String, Object>) e.getValue();
            // Parse and check now, so that a broken entry is reported at start-up, not at the layer's first call.
            if (entry.containsKey("depthwise")) {
                ScheduleJson.depthwise(entry).checkFits(device);
            } else {
                ScheduleJson.gemm(entry).checkFits(device);
            }
            entries.put(e.getKey(), entry);
        }
    }
}

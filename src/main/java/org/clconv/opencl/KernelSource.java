package org.clconv.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The complete OpenCL C text of one program and the kernel it defines. A family's source is its files from
 * the jar's {@code /kernels} folder concatenated (shared headers first), so no include path is needed on any
 * platform; {@code #line} markers keep build-log line numbers pointing into the right file.
 */
public final class KernelSource {
    private final String name;
    private final String text;
    private final String entryPoint;

    public KernelSource(String name, String text, String entryPoint) {
        this.name = name;
        this.text = text;
        this.entryPoint = entryPoint;
    }

    /** Concatenates {@code files} (names under {@code /kernels}) into one source defining {@code entryPoint}. */
    static KernelSource fromResources(String entryPoint, String... files) {
        StringBuilder text = new StringBuilder();
        for (String file : files) {
            text.append("#line 1 \"").append(file).append("\"\n").append(resource(file)).append('\n');
        }
        return new KernelSource(String.join("+", files), text.toString(), entryPoint);
    }

    private static String resource(String file) {
        try (InputStream in = KernelSource.class.getResourceAsStream("/kernels/" + file)) {
            if (in == null) {
                throw new IllegalStateException("kernel source /kernels/" + file + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source /kernels/" + file, e);
        }
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    public String entryPoint() {
        return entryPoint;
    }

    @Override
    public String toString() {
        return name;
    }
}

package org.clconv;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The backends every backend-generic test runs on, by name. Use as
 * {@code @ParameterizedTest @MethodSource("org.clconv.TestBackends#names")} and {@link #get(String)} in the
 * test body. Adding a backend is one line in {@link #ALL}.
 *
 * <p>Each backend is created once per JVM (creating an OpenCL context and building programs is slow) and
 * closed at shutdown. A backend that may be missing on a developer's machine (OpenCL) makes its tests skip
 * with the reason it could not start, unless its "required" system property is {@code true}, which CI sets
 * so that a missing device fails the build instead of silently skipping.
 */
public final class TestBackends {
    private static final List<UnderTest> ALL = List.of(
            UnderTest.alwaysRequired("cpu"),
            UnderTest.requiredWhen("opencl", "clconv.requireOpenCL"));

    /** Per name: the created backend, or the BackendException that kept it from starting (so we do not retry). */
    private static final Map<String, Object> CREATED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestBackends::closeAll, "close-test-backends"));
    }

    private TestBackends() {
    }

    /**
     * The names of the backends under test, for {@code @MethodSource}: all of them, or those listed in the
     * system property {@code clconv.backends} (e.g. {@code -Dclconv.backends=cpu} for a long fuzz on one).
     */
    public static Stream<String> names() {
        List<String> only = List.of(System.getProperty("clconv.backends", "").split(","));
        return ALL.stream().map(UnderTest::name).filter(n -> only.equals(List.of("")) || only.contains(n));
    }

    /**
     * The shared instance of the named backend. Aborts the calling test (a visible skip with the reason) when
     * an optional backend cannot start here; fails it when the backend is required.
     */
    public static ConvBackend get(String name) {
        UnderTest entry = ALL.stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend under test named '" + name + "'"));
        Object outcome = CREATED.computeIfAbsent(name, TestBackends::create);
        if (outcome instanceof ConvBackend) {
            return (ConvBackend) outcome;
        }
        BackendException why = (BackendException) outcome;
        if (entry.isRequired()) {
            return Assertions.fail("backend '" + name + "' is required here (" + entry.requiredBecause()
                    + ") but could not start: " + why.getMessage(), why);
        }
        return Assumptions.abort("backend '" + name + "' is not usable on this machine: " + why.getMessage());
    }

    private static Object create(String name) {
        try {
            return Backends.create(name, null);
        } catch (BackendException e) {
            return e;
        }
    }

    private static void closeAll() {
        for (Object outcome : CREATED.values()) {
            if (outcome instanceof ConvBackend) {
                ((ConvBackend) outcome).close();
            }
        }
    }

    /** A backend name and when its absence is a failure rather than a skip. */
    private record UnderTest(String name, String requiredProperty) {
        static UnderTest alwaysRequired(String name) {
            return new UnderTest(name, null);
        }

        static UnderTest requiredWhen(String name, String systemProperty) {
            return new UnderTest(name, systemProperty);
        }

        boolean isRequired() {
            return requiredProperty == null || Boolean.getBoolean(requiredProperty);
        }

        String requiredBecause() {
            return requiredProperty == null ? "it must work everywhere" : "-D" + requiredProperty + "=true";
        }
    }
}

package org.clconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.clconv.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cases computed by real PyTorch ({@code scripts/make-golden.py}, torch 1.13), run on every backend. They pin
 * down the same semantics as the conformance suite, but against torch itself rather than our reference, so
 * a misreading of PyTorch shared by the reference and a backend cannot go unnoticed.
 */
class GoldenTest {
    private static final String FOLDER = "golden";
    private static final Properties MANIFEST = loadManifest();

    static Stream<String> caseNames() {
        List<String> names = Arrays.asList(MANIFEST.getProperty("cases").split(","));
        assertFalse(names.isEmpty(), "the golden manifest lists no cases");
        return names.stream();
    }

    static Stream<Arguments> backendsAndCases() {
        return TestBackends.names().flatMap(backend -> caseNames().map(name -> Arguments.of(backend, name)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("backendsAndCases")
    void backendMatchesPyTorch(String backendName, String caseName) throws IOException {
        ConvBackend backend = TestBackends.get(backendName);
        GoldenCase c = GoldenCase.load(caseName);
        Tensor actual = backend.conv2d(c.layer(), c.input());
        assertNull(Agreement.mismatch(actual, c.expected().shape(), Agreement.toDouble(c.expected().data())),
                () -> backendName + " disagrees with PyTorch on golden case " + c);
    }

    /** The oracle of the conformance suite must itself agree with PyTorch, or that suite proves nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void referenceMatchesPyTorch(String caseName) throws IOException {
        GoldenCase c = GoldenCase.load(caseName);
        double[] reference = Reference.conv2d(c.layer(), c.input());
        Shape shape = c.layer().bind(c.input().shape()).outputShape();
        assertEquals(c.expected().shape(), shape, () -> "output shape of " + c);
        assertNull(Agreement.mismatch(c.expected(), shape, reference), () -> "the reference disagrees on " + c);
    }

    /** One golden case: the layer rebuilt from the manifest and the weight's shape, its input and torch's output. */
    private record GoldenCase(String name, ConvLayer layer, Tensor input, Tensor expected) {
        static GoldenCase load(String name) throws IOException {
            Path folder = resourceFolder().resolve(name);
            Tensor input = Npy.read(folder.resolve("input.npy"));
            Tensor weight = Npy.read(folder.resolve("weight.npy"));
            boolean hasBias = Boolean.parseBoolean(param(name, "bias"));
            Tensor bias = hasBias ? Npy.read(folder.resolve("bias.npy")) : null;
            Conv2d spec = Conv2d.builder(input.dim(1), weight.dim(0), weight.dim(2), weight.dim(3))
                    .stride(pair(name, "stride")[0], pair(name, "stride")[1])
                    .padding(Padding.parse(param(name, "padding")))
                    .dilation(pair(name, "dilation")[0], pair(name, "dilation")[1])
                    .groups(Integer.parseInt(param(name, "groups")))
                    .bias(hasBias)
                    .paddingMode(PaddingMode.parse(param(name, "padding_mode")))
                    .activation(Activation.parse(param(name, "activation")))
                    .build();
            Tensor expected = Npy.read(folder.resolve("expected.npy"));
            int[] manifestShape = Arrays.stream(param(name, "output_shape").split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            assertEquals(Shape.of(manifestShape), expected.shape(), "golden files of " + name + " are inconsistent");
            return new GoldenCase(name, new ConvLayer(spec, weight, bias), input, expected);
        }

        private static String param(String name, String key) {
            String value = MANIFEST.getProperty(name + "." + key);
            if (value == null) {
                throw new IllegalStateException("golden manifest has no " + name + "." + key);
            }
            return value;
        }

        private static int[] pair(String name, String key) {
            return IntPair.parse(key, param(name, key));
        }

        @Override
        public String toString() {
            return name + " (" + layer.spec() + " on input " + input.shape() + ")";
        }
    }

    private static Path resourceFolder() {
        try {
            return Path.of(GoldenTest.class.getClassLoader().getResource(FOLDER).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Properties loadManifest() {
        Path manifest = resourceFolder().resolve("manifest.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(manifest)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest, e);
        }
        return p;
    }
}

package org.clconv.opencl;

import static org.clconv.opencl.OpenClTesting.assertClose;
import static org.clconv.opencl.OpenClTesting.layer;
import static org.clconv.opencl.OpenClTesting.random;
import static org.clconv.opencl.OpenClTesting.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clconv.Activation;
import org.clconv.Conv2d;
import org.clconv.ConvLayer;
import org.clconv.Shape;
import org.clconv.Tensor;
import org.junit.jupiter.api.Test;

/**
 * OpenCL drivers built on LLVM (PoCL) install one-shot SIGSEGV handlers over the JVM's whenever they build a
 * program. The JVM traps SIGSEGV on purpose at every safepoint, in every thread running compiled code; the first
 * trap resets the signal to its default before LLVM's handler gives the JVM's back, and a second thread trapping
 * then kills the JVM (exit 139, and this test's fork with it: "The forked VM terminated without properly saying
 * goodbye"). Preloading the JDK's libjsig keeps the JVM's handlers first: the launchers do it
 * (scripts/preload-libjsig.sh), and so does this build for its test JVM (the pom's libjsig profile). Here two
 * threads run compiled code while the backend builds a few dozen kernel variants and the test forces
 * safepoints after each; before libjsig, every run of this died within seconds on PoCL.
 */
class OpenClSignalChainingTest {
    @Test
    void kernelBuildsWhileThreadsRunCompiledCodeLeaveTheJvmStanding() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() & 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "spinner-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try (OpenClBackend backend = OpenClTesting.fresh()) {
            Shape shape = Shape.of(1, 4, 24, 24);
            Tensor input = random(shape, 5);
            for (int kernel = 1; kernel <= 5; kernel += 2) {
                for (int dil = 1; dil <= 3; dil++) {
                    for (Activation activation : Activation.values()) {
                        Conv2d spec = Conv2d.depthwise(4, 1, kernel, kernel).padding(dil * (kernel - 1) / 2)
                                .dilation(dil).activation(activation).build();
                        ConvLayer l = layer(spec, spec.hashCode());
                        assertClose(reference(l, input), backend.conv2d(l, input), spec.toString());
                        for (int gc = 0; gc < 3; gc++) {
                            System.gc();
                        }
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }
}

package org.clconv.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JitTrapLimitTest {
    @Test
    void readsTheLimitTheJvmWasStartedWith() {
        // the pom's test JVM gets the launchers' limit; a JVM started elsewhere (an IDE) may not
        String flag = "-XX:PerMethodTrapLimit=";
        OptionalLong given = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith(flag)).mapToLong(a -> Long.parseLong(a.substring(flag.length())))
                .reduce((first, last) -> last);
        assumeTrue(given.isPresent(), "the JVM was started without " + flag);
        assertEquals(given, JitTrapLimit.current());
        assertEquals(JitTrapLimit.RECOMMENDED, given.getAsLong(), "the pom passes what the launchers pass");
    }
}

package org.clconv.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SignalChainingTest {
    @Test
    void recognisesLibjsigAnywhereInLdPreload() {
        assertTrue(SignalChaining.libjsigPreloaded("/usr/lib/jvm/java-17-openjdk-amd64/lib/libjsig.so"));
        assertTrue(SignalChaining.libjsigPreloaded("/opt/other.so:/jdk/lib/libjsig.so"));
        assertTrue(SignalChaining.libjsigPreloaded("/opt/other.so /jdk/lib/server/libjsig.so"));
        assertTrue(SignalChaining.libjsigPreloaded("libjsig.so"));
        assertFalse(SignalChaining.libjsigPreloaded(null));
        assertFalse(SignalChaining.libjsigPreloaded(""));
        assertFalse(SignalChaining.libjsigPreloaded("/opt/libjsig.so.bak:/opt/notlibjsig.sox"));
    }
}

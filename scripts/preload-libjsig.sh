# Sourced by the launchers (not run): preload_libjsig JAVA puts the JDK's libjsig.so in front of LD_PRELOAD.
#
# OpenCL drivers built on LLVM (PoCL here; Mesa's too) install their own one-shot SIGSEGV/SIGBUS/SIGILL/SIGFPE
# handlers whenever they compile a kernel, replacing the JVM's. The JVM traps SIGSEGV on purpose (safepoint
# polls, implicit null checks): the first such trap runs LLVM's handler, which resets the signal to its default
# before it restores the JVM's, and a second thread trapping at that moment (every running thread traps at a
# safepoint) kills the process (exit 139). Preloaded, libjsig keeps the JVM's handlers in place and chains to the
# driver's ("signal chaining" in the JDK's documentation). A JVM without libjsig.so is left as it is.
preload_libjsig() {
    local java_bin jsig
    java_bin="$(readlink -f "$(command -v "$1")" 2>/dev/null)" || return 0
    jsig="$(dirname "$(dirname "$java_bin")")/lib/libjsig.so"
    [[ -f "$jsig" ]] || return 0
    [[ ":${LD_PRELOAD:-}:" == *":$jsig:"* ]] && return 0
    export LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}"
}

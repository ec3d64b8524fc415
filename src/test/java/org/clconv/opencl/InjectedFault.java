package org.clconv.opencl;

/**
 * While open, makes calls {@code first .. first+count-1} (counting from 1) of one OpenCL function, made on the
 * thread that opened it, report {@code code} instead of their success (through {@link ClErrors}' fault hook).
 * Other threads and other functions are untouched, so a test can fail exactly one step of a chain.
 */
final class InjectedFault implements AutoCloseable {
    private final Thread thread = Thread.currentThread();
    private final String call;
    private final int code;
    private final int first;
    private final int count;
    private int seen;
    private int fired;

    private InjectedFault(String call, int code, int first, int count) {
        this.call = call;
        this.code = code;
        this.first = first;
        this.count = count;
        ClErrors.setFaultHook(this::faultFor);
    }

    /** Fails the {@code nth} call of {@code call}. */
    static InjectedFault nth(String call, int nth, int code) {
        return new InjectedFault(call, code, nth, 1);
    }

    /** Fails {@code count} calls of {@code call} from the {@code first}. */
    static InjectedFault calls(String call, int first, int count, int code) {
        return new InjectedFault(call, code, first, count);
    }

    /** How many calls were made to fail so far. */
    int fired() {
        return fired;
    }

    private int faultFor(String name) {
        if (Thread.currentThread() != thread || !name.equals(call)) {
            return 0;
        }
        seen++;
        if (seen >= first && seen < first + count) {
            fired++;
            return code;
        }
        return 0;
    }

    @Override
    public void close() {
        ClErrors.setFaultHook(null);
    }
}

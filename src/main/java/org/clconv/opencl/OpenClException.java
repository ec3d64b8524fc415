package org.clconv.opencl;

import org.clconv.BackendException;

/**
 * An OpenCL call failed. The message names the call and the error, e.g.
 * {@code clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES}; the numeric code is kept for programs.
 */
public class OpenClException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errorCode;

    public OpenClException(String call, int errorCode) {
        this(call, errorCode, call + ": " + ClErrors.name(errorCode));
    }

    /** With {@code detail} appended in parentheses: what was asked for, when the code alone does not say. */
    static OpenClException withDetail(String call, int errorCode, String detail) {
        return new OpenClException(call, errorCode, call + ": " + ClErrors.name(errorCode) + " (" + detail + ")");
    }

    protected OpenClException(String call, int errorCode, String message) {
        super(message);
        this.call = call;
        this.errorCode = errorCode;
    }

    /** The OpenCL function that failed, e.g. {@code clCreateBuffer}. */
    public String call() {
        return call;
    }

    /** The raw OpenCL error code (negative). */
    public int errorCode() {
        return errorCode;
    }

    /** The error's symbolic name, e.g. {@code CL_INVALID_BUFFER_SIZE}. */
    public String errorName() {
        return ClErrors.name(errorCode);
    }
}

package org.clconv.opencl;

import org.clconv.BackendException;

/**
 * OpenCL cannot be used on this machine: the loader library is missing, no platform is installed, or no
 * platform offers a device. A normal situation, not a bug: {@code auto} falls back to the CPU on it.
 */
public final class OpenClUnavailableException extends BackendException {
    private static final long serialVersionUID = 1L;

    public OpenClUnavailableException(String reason) {
        super(reason);
    }

    public OpenClUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

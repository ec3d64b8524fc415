package org.clconv;

/**
 * A backend failed while running a valid request (a device error, an out-of-memory on the device, a
 * kernel that would not build). The backend stays usable for the next call.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

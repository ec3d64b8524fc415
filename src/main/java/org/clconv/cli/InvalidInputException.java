package org.clconv.cli;

/** A file given on the command line cannot be used as input (missing, unreadable, not a float32 NPY file). */
final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidInputException(String message) {
        super(message);
    }

    InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.clconv.io;

import java.io.IOException;

/**
 * A file is not an NPY file clconv can read: wrong magic, an unsupported version or dtype, a malformed
 * header, or a declared shape the file or the JVM cannot hold. The message names what was found.
 */
public class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }
}

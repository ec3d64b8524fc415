package org.clconv;

/**
 * Thrown when a convolution's parameters, or the tensors given to it, do not form a valid
 * {@code torch.nn.Conv2d} call. The message names the parameter and the values that were given.
 * Always thrown before any work starts, so nothing has been computed or written.
 */
public class InvalidConvolutionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidConvolutionException(String message) {
        super(message);
    }
}

package dev.deepretrieval.policy;

/** A checkpoint, config or tokenizer that cannot be loaded; the message names the file, field or tensor. */
public final class PolicyLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PolicyLoadException(String message) {
        super(message);
    }

    public PolicyLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}

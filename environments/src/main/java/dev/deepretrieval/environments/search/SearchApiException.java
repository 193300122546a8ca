package dev.deepretrieval.environments.search;

/** A search API gave no usable answer after every attempt (or its circuit is open): the sample fails, it is not scored. */
public final class SearchApiException extends RuntimeException {

    public SearchApiException(String message, Throwable cause) {
        super(message, cause);
    }
}

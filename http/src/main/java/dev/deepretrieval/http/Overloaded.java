package dev.deepretrieval.http;

/** Every generation slot and queue place is taken; answered 503 with {@code Retry-After}. */
public final class Overloaded extends RuntimeException {

    public Overloaded(String message) {
        super(message);
    }
}

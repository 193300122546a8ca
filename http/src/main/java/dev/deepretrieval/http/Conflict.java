package dev.deepretrieval.http;

/** A request that is valid but cannot be done in the current state (a run already in progress); answered 409. */
public final class Conflict extends RuntimeException {

    public Conflict(String message) {
        super(message);
    }
}

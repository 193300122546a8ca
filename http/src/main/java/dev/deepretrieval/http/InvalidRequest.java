package dev.deepretrieval.http;

/** A request that cannot be served as sent; answered 400 with the field it names. */
public final class InvalidRequest extends RuntimeException {

    private final String field;

    public InvalidRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The JSON field at fault ({@code ""} for the body as a whole). */
    public String field() {
        return field;
    }
}

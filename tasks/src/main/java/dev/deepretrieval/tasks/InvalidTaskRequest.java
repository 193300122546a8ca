package dev.deepretrieval.tasks;

/**
 * A task request that cannot be served, naming the field at fault ({@code task}, {@code retriever}, {@code template},
 * ...): the CLI says it as that flag, the runs API as a 400 naming the field.
 */
public final class InvalidTaskRequest extends IllegalArgumentException {

    private final String field;

    public InvalidTaskRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request's field (the CLI's flag without its dashes). */
    public String field() {
        return field;
    }

    /** {@code value}'s result; an {@link IllegalArgumentException} it throws becomes one naming {@code field}. */
    public static <T> T checked(String field, java.util.function.Supplier<T> value) {
        try {
            return value.get();
        } catch (InvalidTaskRequest e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidTaskRequest(field, e.getMessage());
        }
    }
}

package dev.deepretrieval.environments.sql;

/**
 * The login that would run model SQL can do more than read the task data (a superuser, a role with FILE or
 * server-file rights, a grant beyond SELECT): the project refuses to run model SQL as it.
 */
public final class UnsafeSqlReaderException extends IllegalStateException {

    private final boolean readerGiven;

    UnsafeSqlReaderException(String reader, String excess, boolean readerGiven) {
        super("model SQL must run as a login that can only read the task data, but '" + reader + "' is not: " + excess);
        this.readerGiven = readerGiven;
    }

    /** Whether the reader was named by URL by the user (else it is the role the loader manages). */
    public boolean readerGiven() {
        return readerGiven;
    }
}

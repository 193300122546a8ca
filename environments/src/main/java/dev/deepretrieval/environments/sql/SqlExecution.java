package dev.deepretrieval.environments.sql;

import java.util.List;

/**
 * The outcome of running one SQL string.
 *
 * @param rows the result rows when {@link Status#OK}, else empty
 * @param detail why it did not run or failed (the guard's reason, the server's message), else empty
 */
public record SqlExecution(Status status, List<List<Object>> rows, String detail) {

    public enum Status {
        /** Ran to completion; {@code rows} is the whole result. */
        OK,
        /** Refused before reaching the server (not one read-only statement). */
        REJECTED,
        /** The server reported an error (syntax, unknown column, type error, write refused...). */
        FAILED,
        /** Stopped at the statement timeout. */
        TIMED_OUT,
        /** Returned more rows than the row cap; stopped there. */
        TOO_MANY_ROWS
    }

    public SqlExecution {
        rows = List.copyOf(rows);
    }

    static SqlExecution ok(List<List<Object>> rows) {
        return new SqlExecution(Status.OK, rows, "");
    }

    static SqlExecution failed(Status status, String detail) {
        return new SqlExecution(status, List.of(), detail);
    }

    public boolean succeeded() {
        return status == Status.OK;
    }
}

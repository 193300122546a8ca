package dev.deepretrieval.environments.beir;

import java.nio.file.Path;

/** A dataset file that cannot be read as its format requires; the message names the file, line and reason. */
public final class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    public DatasetFormatException(Path file, long line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public DatasetFormatException(Path file, long line, String reason, Throwable cause) {
        this(file, line, reason);
        initCause(cause);
    }

    /** The offending file. */
    public Path file() {
        return file;
    }

    /** The 1-based line number, or 0 when the problem is the file as a whole. */
    public long line() {
        return line;
    }
}

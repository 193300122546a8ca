package dev.deepretrieval.cli;

/** What the process exit status means; documented in README and in {@code --help}. */
public final class ExitCode {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** An unexpected failure (a bug, or an I/O error such as a full disk). */
    public static final int FAILURE = 1;
    /** Bad command-line usage: unknown option, missing or invalid value. */
    public static final int USAGE = 2;
    /** A data or model file is missing or malformed; the message names the file and the line or tensor. */
    public static final int BAD_DATA = 3;
    /** The configuration is invalid; the message names the setting and where it was set. */
    public static final int BAD_CONFIG = 4;
    /** The command exists but is not available yet in this build. */
    public static final int UNAVAILABLE = 5;

    /** Stopped by Ctrl-C or SIGTERM after writing a checkpoint (the shell's convention for SIGINT). */
    public static final int INTERRUPTED = 130;

    static final String HELP_FOOTER = "%nExit status: 0 ok, 1 failure, 2 usage error, 3 bad data or model file, 4 bad configuration,"
            + " 5 not available yet, 130 stopped by Ctrl-C or SIGTERM (checkpoint written).";

    private ExitCode() {}
}

package dev.netcon.cli;

/** Exit codes of every netcon command; documented in docs/cli.md. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** A failure at run time not covered below. */
    public static final int FAILURE = 1;
    /** Bad command line: unknown flag, missing or malformed value (picocli's usage error). */
    public static final int USAGE = 2;
    /** An input file is missing, unreadable, or not in a format the command reads. */
    public static final int BAD_INPUT = 3;
    /** The receiver (or another network peer) could not be reached. */
    public static final int UNREACHABLE = 4;
    /** Permission denied: a file, directory or privileged port. */
    public static final int PERMISSION = 5;
    /** A bad configuration file or key. */
    public static final int CONFIG = 6;
    /** An address or port is already in use. */
    public static final int ADDRESS_IN_USE = 7;

    private ExitCodes() {
    }
}

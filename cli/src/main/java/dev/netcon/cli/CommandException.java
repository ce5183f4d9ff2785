package dev.netcon.cli;

/**
 * An expected failure a command reports as one line on stderr with a distinct exit code, without a stack
 * trace (unless --verbose).
 */
public final class CommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CommandException(final int exitCode, final String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CommandException(final int exitCode, final String message, final Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

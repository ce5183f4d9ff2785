package dev.netcon.receiver;

import java.net.BindException;

/**
 * A UDP or HTTP address that could not be bound, with why: the address is taken (EADDRINUSE), binding it is not
 * allowed (EACCES/EPERM, e.g. a port below 1024 without CAP_NET_BIND_SERVICE), or something else. Callers such
 * as the CLI turn the reason into an exit code; the message is one line naming the address.
 */
public final class BindFailure extends BindException {
    private static final long serialVersionUID = 1L;

    /** Why the bind failed. */
    public enum Reason {
        ADDRESS_IN_USE,
        PERMISSION_DENIED,
        OTHER
    }

    private final Reason reason;

    BindFailure(final Reason reason, final String message, final Throwable cause) {
        super(message);
        this.reason = reason;
        initCause(cause);
    }

    public Reason reason() {
        return reason;
    }

    /**
     * The reason of a bind error. The JDK (BindException) and Netty's native transport (NativeIoException) both
     * carry only the C library's strerror text, so the messages along the cause chain are what tells them apart.
     */
    static Reason classify(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            final String m = t.getMessage();
            if (m == null) {
                continue;
            }
            if (m.contains("Address already in use")) {
                return Reason.ADDRESS_IN_USE;
            }
            if (m.contains("Permission denied") || m.contains("Operation not permitted")) {
                return Reason.PERMISSION_DENIED;
            }
        }
        return Reason.OTHER;
    }

    private static String detail(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException) {
                return "unknown host";
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The one-line failure for binding {@code what} ("udp 127.0.0.1:514"); {@code flag} is the option that chose it. */
    static BindFailure of(final Throwable e, final String what, final String flag) {
        final Reason reason = classify(e);
        final String message = switch (reason) {
            case ADDRESS_IN_USE -> "cannot " + what + ": address already in use ("
                + (flag.equals("--listen") ? "another receiver? " : "") + "choose one with " + flag + ")";
            case PERMISSION_DENIED -> "cannot " + what + ": permission denied (a port below 1024 needs root or "
                + "CAP_NET_BIND_SERVICE; choose one with " + flag + ")";
            case OTHER -> "cannot " + what + ": " + detail(e);
        };
        return new BindFailure(reason, message, e);
    }
}

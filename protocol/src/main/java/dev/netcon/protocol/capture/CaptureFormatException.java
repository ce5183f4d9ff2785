package dev.netcon.protocol.capture;

/** A capture file that cannot be read; the message says where and why. */
public final class CaptureFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(final String message) {
        super(message);
    }
}

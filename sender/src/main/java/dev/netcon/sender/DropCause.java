package dev.netcon.sender;

/** Why a record was dropped at (or before) the sender; the value of the in-band report's {@code NETCON_DROP_CAUSE}. */
public enum DropCause {
    /** write() found the ring full: the application logs faster than the network drains. */
    RING_FULL("ring_full"),
    /** The socket would have blocked (its send buffer was full): the "atomic send" failed. */
    SEND_WOULD_BLOCK("send_would_block"),
    /** The send failed (no route, unreachable, message too long...). */
    SEND_FAILED("send_failed"),
    /**
     * Reliable mode: the record was sent but left the resend history before the receiver acknowledged it, so it
     * can no longer be resent if it was lost. The receiver counts as dropped at source only those it is missing.
     */
    UNACKED_EVICTED("unacked_evicted"),
    /**
     * Pass-through only: the records were lost before the sender read them, e.g. /dev/kmsg had overwritten them
     * (its reader fell behind). Reported by the caller with {@link NetconSender#offerDropReport}.
     */
    SOURCE_OVERRUN("source_overrun"),
    /** Pass-through only: the caller's record was malformed or too long to send ({@link FrameStatus#INVALID}, {@link FrameStatus#TOO_LONG}). */
    INVALID_RECORD("invalid_record");

    private final String wireName;

    DropCause(final String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

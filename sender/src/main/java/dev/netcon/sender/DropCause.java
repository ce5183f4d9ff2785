package dev.netcon.sender;

/** Why a record was dropped at the sender; the value of the in-band report's {@code NETCON_DROP_CAUSE}. */
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
    UNACKED_EVICTED("unacked_evicted");

    private final String wireName;

    DropCause(final String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

package dev.netcon.protocol;

import org.agrona.DirectBuffer;

/**
 * What a source's pipeline emits, in order. Records and buffers are valid only during the call:
 * copy what you keep.
 */
public interface RecordListener {
    /** A complete extended record, released in sequence order. */
    void onRecord(Record record);

    /** Sequence numbers {@code firstSeq..lastSeq} (inclusive) were given up: they will not be delivered. */
    void onMissing(long firstSeq, long lastSeq);

    /**
     * The source's sequence restarted (sender rebooted, or a replay from seq 0): {@code lastSeq} was the
     * newest seq released before, {@code newSeq} the first of the new run. Not counted as a gap.
     */
    void onSeqReset(long lastSeq, long newSeq);

    /** A record whose seq was already released or is already held. */
    default void onDuplicate(final long seq) {
    }

    /** A plain (legacy, headerless) datagram, passed on as it came. */
    default void onPlain(final DirectBuffer buffer, final int offset, final int length) {
    }

    /** A datagram or reassembled record that was rejected. */
    default void onRejected(final FrameError error) {
    }

    /** Partial records given up because their fragments did not all arrive in time (or room ran out). */
    default void onFragmentsExpired(final int records) {
    }
}

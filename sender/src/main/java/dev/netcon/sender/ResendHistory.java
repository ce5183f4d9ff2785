package dev.netcon.sender;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The last {@code capacity} records sent in reliable mode, kept whole (before fragmentation) so that a record
 * the receiver names as missing can be sent again. Record {@code seq} lives in slot {@code seq & mask}, so
 * finding one is an index, and a newer record evicts the one {@code capacity} seqs before it. Everything is
 * allocated off-heap at construction. Used by the agent thread only.
 */
final class ResendHistory {
    private static final long EMPTY = -1L; // seq 2^64-1 is never held: it would wrap the sender's counter

    private final int mask;
    private final int slotBytes;
    private final UnsafeBuffer frames;
    private final long[] seqs;
    private final int[] lengths;
    private final long[] lastSentNs;

    ResendHistory(final int capacity, final int maxFrameBytes) {
        final int slots = BitUtil.findNextPositivePowerOfTwo(capacity);
        this.mask = slots - 1;
        this.slotBytes = maxFrameBytes;
        this.frames = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.multiplyExact(slots, maxFrameBytes)));
        this.seqs = new long[slots];
        this.lengths = new int[slots];
        this.lastSentNs = new long[slots];
        java.util.Arrays.fill(seqs, EMPTY);
    }

    int capacity() {
        return mask + 1;
    }

    /**
     * Keeps a copy of the frame of record {@code seq}, sent at {@code nowNs}.
     *
     * @return the seq of the record it evicted, or -1 if the slot was empty.
     */
    long add(final long seq, final DirectBuffer frame, final int offset, final int length, final long nowNs) {
        final int slot = (int) seq & mask;
        final long evicted = seqs[slot];
        frames.putBytes(slot * slotBytes, frame, offset, length);
        seqs[slot] = seq;
        lengths[slot] = length;
        lastSentNs[slot] = nowNs;
        return evicted;
    }

    boolean holds(final long seq) {
        return seq != EMPTY && seqs[(int) seq & mask] == seq;
    }

    /** Offset of the held record's frame in {@link #frames()}; only valid when {@link #holds} is true. */
    int offset(final long seq) {
        return ((int) seq & mask) * slotBytes;
    }

    int length(final long seq) {
        return lengths[(int) seq & mask];
    }

    long lastSentNs(final long seq) {
        return lastSentNs[(int) seq & mask];
    }

    void markSent(final long seq, final long nowNs) {
        lastSentNs[(int) seq & mask] = nowNs;
    }

    DirectBuffer frames() {
        return frames;
    }
}

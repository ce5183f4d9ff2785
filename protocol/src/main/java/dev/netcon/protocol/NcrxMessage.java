package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The acknowledgement datagram of netconsd's ncrx protocol: {@code ncrx<acked>[ <missing>...]}, ASCII, no
 * newline, at most {@link Wire#MAX_PAYLOAD} bytes. {@code acked} is the newest seq the receiver retired
 * (delivered or gave up); each missing seq is a whole record the sender should resend.
 *
 * <p>A reusable flyweight: {@link #parse} fills it from a datagram, the {@code encode*} methods write one,
 * all without allocating.
 */
public final class NcrxMessage {
    /** Most missing seqs one message can carry in this implementation. */
    public static final int MAX_MISSING = 128;
    private static final int PREFIX_LENGTH = Wire.NCRX.length();

    private final long[] missing = new long[MAX_MISSING];
    private final long[] number = new long[1];
    private long acked;
    private int missingCount;

    /** Parses an ncrx datagram. Returns false (and leaves no valid state) if it is not one. */
    public boolean parse(final DirectBuffer b, final int offset, final int length) {
        missingCount = 0;
        if (length <= PREFIX_LENGTH || length > Wire.MAX_PAYLOAD
            || !Record.asciiEquals(b, offset, PREFIX_LENGTH, Wire.NCRX)) {
            return false;
        }
        final int end = offset + length;
        int start = offset + PREFIX_LENGTH;
        boolean first = true;
        while (start < end) {
            int stop = start;
            while (stop < end && b.getByte(stop) != ' ') {
                stop++;
            }
            if (Numbers.parseUnsigned64(b, start, stop - start, number) != 0) {
                return false;
            }
            if (first) {
                acked = number[0];
                first = false;
            } else if (missingCount < MAX_MISSING) {
                missing[missingCount++] = number[0];
            }
            start = stop + 1;
            if (stop + 1 == end) {
                return false; // trailing space
            }
        }
        return !first;
    }

    public long acked() {
        return acked;
    }

    public int missingCount() {
        return missingCount;
    }

    public long missing(final int index) {
        return missing[index];
    }

    /** Writes {@code ncrx<acked>} at {@code offset}; returns bytes written. Follow with {@link #appendMissing}. */
    public static int encodeAck(final MutableDirectBuffer dst, final int offset, final long acked) {
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            dst.putByte(offset + i, (byte) Wire.NCRX.charAt(i));
        }
        return PREFIX_LENGTH + Numbers.putUnsigned(dst, offset + PREFIX_LENGTH, acked);
    }

    /**
     * Appends {@code " <seq>"} at {@code offset} if the message stays within {@link Wire#MAX_PAYLOAD}
     * ({@code lengthSoFar} is the message length before it). Returns bytes written, 0 if it would not fit.
     */
    public static int appendMissing(final MutableDirectBuffer dst, final int offset, final int lengthSoFar,
                                    final long seq) {
        final int n = 1 + Numbers.unsignedDigits(seq);
        if (lengthSoFar + n > Wire.MAX_PAYLOAD) {
            return 0;
        }
        dst.putByte(offset, (byte) ' ');
        Numbers.putUnsigned(dst, offset + 1, seq);
        return n;
    }
}

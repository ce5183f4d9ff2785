package dev.netcon.protocol;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Finds bytes in a buffer eight at a time (one 64-bit read and a few arithmetic steps per word instead of a
 * bounds-checked read and a compare per byte): the receiver scans every record's text for line ends,
 * escapes and control characters several times, and this is where its time went.
 *
 * <p>{@code zeroBytes(v)} sets the high bit of each byte of {@code v} that is zero. Borrows only run from a
 * true match upwards, so the lowest flagged byte is always a true match; with a little-endian read it is the
 * first one in memory.
 */
public final class ByteScan {
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long DEL = 0x7F * ONES;
    private static final long SPACE = 0x20 * ONES;

    private ByteScan() {
    }

    /** Index of the first {@code x} or {@code y} in {@code [from, to)}, or {@code to}. */
    public static int indexOfEither(final DirectBuffer b, final int from, final int to, final byte x, final byte y) {
        final long xs = (x & 0xFF) * ONES;
        final long ys = (y & 0xFF) * ONES;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long w = b.getLong(i, ByteOrder.LITTLE_ENDIAN);
            final long match = zeroBytes(w ^ xs) | zeroBytes(w ^ ys);
            if (match != 0) {
                return i + (Long.numberOfTrailingZeros(match) >>> 3);
            }
        }
        for (; i < to; i++) {
            final byte c = b.getByte(i);
            if (c == x || c == y) {
                return i;
            }
        }
        return to;
    }

    /** Index of the first ASCII control character (below 0x20, or DEL) in {@code [from, to)}, or {@code to}. */
    public static int indexOfControl(final DirectBuffer b, final int from, final int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long w = b.getLong(i, ByteOrder.LITTLE_ENDIAN);
            // bytes below 0x20: subtracting 0x20 borrows into the high bit, which ~w keeps only for bytes < 0x80
            final long match = ((w - SPACE) & ~w & HIGH_BITS) | zeroBytes(w ^ DEL);
            if (match != 0) {
                return i + (Long.numberOfTrailingZeros(match) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (isControl(b.getByte(i))) {
                return i;
            }
        }
        return to;
    }

    /** An ASCII control character: below 0x20, or DEL. Bytes of UTF-8 sequences (0x80 and up) are not. */
    public static boolean isControl(final byte c) {
        return (c >= 0 && c < 0x20) || c == 0x7F;
    }

    private static long zeroBytes(final long v) {
        return (v - ONES) & ~v & HIGH_BITS;
    }
}

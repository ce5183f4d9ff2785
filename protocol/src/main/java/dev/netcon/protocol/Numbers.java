package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Allocation-free decimal parsing and formatting over buffers, unsigned 64-bit aware. */
public final class Numbers {
    /** Returned by the parsers for an empty range, a non-digit, or an overflow. */
    public static final long NOT_A_NUMBER = -1L;
    /** Returned by {@link #parseUnsigned64} when the value exceeds 2^64-1. */
    public static final int OVERFLOW = -2;

    private static final long MAX_DIV_10 = Long.divideUnsigned(-1L, 10);
    private static final int MAX_LAST_DIGIT = (int) Long.remainderUnsigned(-1L, 10);

    private Numbers() {
    }

    /**
     * Parses a non-negative decimal up to {@link Long#MAX_VALUE}.
     *
     * @return the value, or {@link #NOT_A_NUMBER} if empty, not all digits, or too large.
     */
    public static long parseUnsignedDecimal(final DirectBuffer b, final int offset, final int length) {
        if (length <= 0 || length > 19) {
            return NOT_A_NUMBER;
        }
        long v = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            final int d = b.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return NOT_A_NUMBER;
            }
            v = v * 10 + d;
            if (v < 0) {
                return NOT_A_NUMBER;
            }
        }
        return v;
    }

    /**
     * Parses an unsigned 64-bit decimal into {@code out[0]}.
     *
     * @return 0 on success, {@link #OVERFLOW} above 2^64-1, -1 if empty or not all digits.
     */
    public static int parseUnsigned64(final DirectBuffer b, final int offset, final int length, final long[] out) {
        if (length <= 0) {
            return -1;
        }
        long v = 0;
        boolean overflow = false;
        for (int i = offset, end = offset + length; i < end; i++) {
            final int d = b.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            if (Long.compareUnsigned(v, MAX_DIV_10) > 0 || (v == MAX_DIV_10 && d > MAX_LAST_DIGIT)) {
                overflow = true;
            }
            v = v * 10 + d;
        }
        if (overflow) {
            return OVERFLOW;
        }
        out[0] = v;
        return 0;
    }

    /** Number of decimal digits of an unsigned 64-bit value. */
    public static int unsignedDigits(final long value) {
        if (value < 0) {
            return 20 - (Long.compareUnsigned(value, -8446744073709551616L) < 0 ? 1 : 0);
        }
        long v = value;
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes an unsigned 64-bit value in decimal at {@code offset}; returns digits written. */
    public static int putUnsigned(final MutableDirectBuffer dst, final int offset, final long value) {
        final int digits = unsignedDigits(value);
        long v = value;
        int i = offset + digits - 1;
        if (v < 0) { // above Long.MAX_VALUE: the last digit by unsigned division, then v fits a signed long
            final long q = Long.divideUnsigned(v, 10);
            dst.putByte(i--, (byte) ('0' + (int) (v - q * 10)));
            v = q;
        }
        for (; i >= offset; i--) {
            final long q = v / 10; // signed: the JIT makes it a multiplication
            dst.putByte(i, (byte) ('0' + (int) (v - q * 10)));
            v = q;
        }
        return digits;
    }
}

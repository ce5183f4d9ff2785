package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The kernel's {@code \xNN} escaping of record text: bytes below 0x20, from 0x7f up, and the backslash
 * itself are written as a backslash, 'x' and two lowercase hex digits. Everything else is copied.
 * All methods work on byte ranges and allocate nothing.
 */
public final class Escaping {
    /** Returned by {@link #unescape} when an escape is malformed. */
    public static final int BAD_ESCAPE = -1;
    /** Returned when the destination is too small. */
    public static final int NO_ROOM = -2;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Escaping() {
    }

    public static boolean needsEscape(final int b) {
        final int u = b & 0xff;
        return u < 0x20 || u >= 0x7f || u == '\\';
    }

    /** Length of {@code src[offset, offset + length)} once escaped. */
    public static int escapedLength(final DirectBuffer src, final int offset, final int length) {
        int n = length;
        for (int i = offset, end = offset + length; i < end; i++) {
            if (needsEscape(src.getByte(i))) {
                n += 3;
            }
        }
        return n;
    }

    /** Writes one escaped byte at dst[at]; returns bytes written (1 or 4). The caller checks room. */
    public static int escapeByte(final int b, final MutableDirectBuffer dst, final int at) {
        if (!needsEscape(b)) {
            dst.putByte(at, (byte) b);
            return 1;
        }
        final int u = b & 0xff;
        dst.putByte(at, (byte) '\\');
        dst.putByte(at + 1, (byte) 'x');
        dst.putByte(at + 2, HEX[u >>> 4]);
        dst.putByte(at + 3, HEX[u & 0xf]);
        return 4;
    }

    /**
     * Unescapes {@code src[offset, offset + length)} into {@code dst} at {@code dstOffset}.
     *
     * @return bytes written, {@link #BAD_ESCAPE} or {@link #NO_ROOM}.
     */
    public static int unescape(final DirectBuffer src, final int offset, final int length,
                               final MutableDirectBuffer dst, final int dstOffset, final int dstCapacity) {
        int w = dstOffset;
        final int dstEnd = dstOffset + dstCapacity;
        for (int i = offset, end = offset + length; i < end; ) {
            final byte b = src.getByte(i);
            if (w >= dstEnd) {
                return NO_ROOM;
            }
            if (b != '\\') {
                dst.putByte(w++, b);
                i++;
                continue;
            }
            final int value = escapeValue(src, i, end);
            if (value < 0) {
                return BAD_ESCAPE;
            }
            dst.putByte(w++, (byte) value);
            i += 4;
        }
        return w - dstOffset;
    }

    /** Checks that every backslash in the range starts a valid {@code \xNN} escape. */
    public static boolean isValid(final DirectBuffer src, final int offset, final int length) {
        final int end = offset + length;
        for (int i = offset; (i = ByteScan.indexOfEither(src, i, end, (byte) '\\', (byte) '\\')) < end; i += 4) {
            if (escapeValue(src, i, end) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Length of the range once unescaped, assuming {@link #isValid}. */
    public static int unescapedLength(final DirectBuffer src, final int offset, final int length) {
        int n = length;
        for (int i = offset, end = offset + length; i < end; i++) {
            if (src.getByte(i) == '\\') {
                n -= 3;
                i += 3;
            }
        }
        return n;
    }

    /** The byte value of the escape starting at {@code at}, or -1 if it is not a valid escape. */
    public static int escapeValue(final DirectBuffer src, final int at, final int end) {
        if (at + 4 > end || src.getByte(at + 1) != 'x') {
            return -1;
        }
        final int hi = hexValue(src.getByte(at + 2));
        final int lo = hexValue(src.getByte(at + 3));
        return (hi | lo) < 0 ? -1 : hi << 4 | lo;
    }

    private static int hexValue(final byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

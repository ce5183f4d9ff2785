package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes one unfragmented extended frame straight into a caller's buffer, allocation-free:
 *
 * <pre>
 *   encoder.wrap(buf, offset, capacity)
 *          .header(release, prefix, seq, tsUsec, flag)   // "[release,]prefix,seq,ts,flag"
 *          .text("message")                             // ";" then escaped text
 *          .dict("host", "web-1")                       // "\n host=web-1"
 *          .finish();                                   // "\n"; returns the length or NO_ROOM
 * </pre>
 *
 * Running out of room is not an exception: the encoder stops writing and {@link #finish()} returns
 * {@link #NO_ROOM}. {@link #textTruncating} instead cuts the text to what fits, leaving room for
 * the dictionary the caller reserves, and never splits an escape or a UTF-8 sequence.
 */
public final class FrameEncoder {
    public static final int NO_ROOM = -1;

    private MutableDirectBuffer buffer;
    private int start;
    private int limit;
    private int position;
    private boolean overflow;
    private boolean inBody;
    private boolean textTerminated;
    private boolean truncated;

    public FrameEncoder wrap(final MutableDirectBuffer buffer, final int offset, final int capacity) {
        this.buffer = buffer;
        this.start = offset;
        this.limit = offset + capacity;
        this.position = offset;
        this.overflow = false;
        this.inBody = false;
        this.textTerminated = false;
        this.truncated = false;
        return this;
    }

    /** Header with a release prepend taken from a buffer range ({@code releaseLength} 0 for none). */
    public FrameEncoder header(final DirectBuffer release, final int releaseOffset, final int releaseLength,
                               final int prefix, final long seq, final long tsUsec, final byte flag) {
        if (releaseLength > 0) {
            if (!room(releaseLength + 1)) {
                return this;
            }
            buffer.putBytes(position, release, releaseOffset, releaseLength);
            position += releaseLength;
            buffer.putByte(position++, (byte) ',');
        }
        return fields(prefix, seq, tsUsec, flag);
    }

    /** Header with an ASCII release string (null or empty for none). */
    public FrameEncoder header(final CharSequence release, final int prefix, final long seq, final long tsUsec,
                               final byte flag) {
        if (release != null && release.length() > 0) {
            putAscii(release);
            putByte(',');
        }
        return fields(prefix, seq, tsUsec, flag);
    }

    private FrameEncoder fields(final int prefix, final long seq, final long tsUsec, final byte flag) {
        putUnsigned(prefix);
        putByte(',');
        putUnsigned(seq);
        putByte(',');
        putUnsigned(tsUsec);
        putByte(',');
        putByte(flag);
        return this;
    }

    /** Adds {@code ,key=value} to the header; a null key adds nothing. */
    public FrameEncoder headerField(final CharSequence key, final long value) {
        if (key != null) {
            putByte(',');
            putAscii(key);
            putByte('=');
            putUnsigned(value);
        }
        return this;
    }

    /** Appends text, escaped; may be called several times. */
    public FrameEncoder text(final CharSequence text) {
        beginBody();
        putEscapedUtf8(text, 0, text.length(), limit);
        return this;
    }

    /** Appends an unsigned decimal number as text (digits need no escaping); allocation-free, unlike Long.toString. */
    public FrameEncoder textUnsigned(final long value) {
        beginBody();
        putUnsigned(value);
        return this;
    }

    /** Appends raw bytes as text, escaped. */
    public FrameEncoder text(final DirectBuffer src, final int offset, final int length) {
        beginBody();
        putEscapedBytes(src, offset, length, limit);
        return this;
    }

    /**
     * Appends as much of {@code text} as fits while keeping {@code reserve} bytes free after it; sets
     * {@link #isTruncated()} when it had to cut.
     */
    public FrameEncoder textTruncating(final CharSequence text, final int reserve) {
        beginBody();
        final int textLimit = Math.max(position, limit - reserve);
        if (!putEscapedUtf8(text, 0, text.length(), textLimit)) {
            truncated = true;
        }
        return this;
    }

    /** Byte-range variant of {@link #textTruncating(CharSequence, int)}. */
    public FrameEncoder textTruncating(final DirectBuffer src, final int offset, final int length, final int reserve) {
        beginBody();
        final int textLimit = Math.max(position, limit - reserve);
        if (!putEscapedBytes(src, offset, length, textLimit)) {
            truncated = true;
        }
        return this;
    }

    /** Appends a dictionary line {@code "\n KEY=VALUE"}; the value is escaped. */
    public FrameEncoder dict(final CharSequence key, final CharSequence value) {
        beginDictLine(key);
        putEscapedUtf8(value, 0, value.length(), limit);
        return this;
    }

    public FrameEncoder dict(final CharSequence key, final long value) {
        beginDictLine(key);
        putUnsigned(value);
        return this;
    }

    public FrameEncoder dict(final CharSequence key, final DirectBuffer value, final int offset, final int length) {
        beginDictLine(key);
        putEscapedBytes(value, offset, length, limit);
        return this;
    }

    /** Ends the record with its final newline; returns the frame length or {@link #NO_ROOM}. */
    public int finish() {
        beginBody();
        putByte('\n');
        return overflow ? NO_ROOM : position - start;
    }

    /** Appends an already-escaped body as is (for re-encoding a decoded record). */
    public FrameEncoder rawBody(final DirectBuffer body, final int offset, final int length) {
        beginBody();
        if (room(length)) {
            buffer.putBytes(position, body, offset, length);
            position += length;
        }
        return this;
    }

    /** Ends a frame written with {@link #rawBody}: adds nothing; returns the length or {@link #NO_ROOM}. */
    public int finishRaw() {
        beginBody();
        return overflow ? NO_ROOM : position - start;
    }

    /** Bytes {@link #text(CharSequence)} writes for {@code s}: its UTF-8 form, escaped. Allocation-free. */
    public static int escapedLength(final CharSequence s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                n += Escaping.needsEscape(c) ? 4 : 1;
            } else if (c < 0x800) {
                n += 8;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 16;
                i++;
            } else {
                n += 12;
            }
        }
        return n;
    }

    /** Upper bound of a header's length without release: prefix, seq and timestamp at their widest, flag, ';'. */
    public static final int MAX_HEADER_FIELDS_LENGTH = 4 + 1 + 20 + 1 + 20 + 1 + 1 + ",ncemg=1".length() + 1;

    public boolean isTruncated() {
        return truncated;
    }

    public boolean hasOverflowed() {
        return overflow;
    }

    /** Bytes written so far. */
    public int length() {
        return position - start;
    }

    private void beginBody() {
        if (!inBody) {
            inBody = true;
            putByte(';');
        }
    }

    private void beginDictLine(final CharSequence key) {
        beginBody();
        if (!textTerminated) {
            textTerminated = true;
        }
        putByte('\n');
        putByte(' ');
        putAscii(key);
        putByte('=');
    }

    private boolean room(final int n) {
        if (overflow || position + n > limit) {
            overflow = true;
            return false;
        }
        return true;
    }

    private void putByte(final int b) {
        if (room(1)) {
            buffer.putByte(position++, (byte) b);
        }
    }

    private void putAscii(final CharSequence s) {
        final int n = s.length();
        if (room(n)) {
            for (int i = 0; i < n; i++) {
                buffer.putByte(position++, (byte) s.charAt(i));
            }
        }
    }

    private void putUnsigned(final long v) {
        if (room(Numbers.unsignedDigits(v))) {
            position += Numbers.putUnsigned(buffer, position, v);
        }
    }

    /** Escapes bytes up to {@code until}; returns false (without overflowing) if they did not all fit. */
    private boolean putEscapedBytes(final DirectBuffer src, final int offset, final int length, final int until) {
        if (overflow) {
            return false;
        }
        for (int i = offset, end = offset + length; i < end; i++) {
            final byte b = src.getByte(i);
            final int need = Escaping.needsEscape(b) ? 4 : 1;
            if (position + need > until) {
                if (until == limit) {
                    overflow = true;
                }
                return false;
            }
            position += Escaping.escapeByte(b, buffer, position);
        }
        return true;
    }

    /** UTF-8 encodes and escapes chars up to {@code until}, never splitting a character. */
    private boolean putEscapedUtf8(final CharSequence s, final int from, final int to, final int until) {
        if (overflow) {
            return false;
        }
        for (int i = from; i < to; i++) {
            final char c = s.charAt(i);
            if (c < 0x80) {
                final int need = Escaping.needsEscape(c) ? 4 : 1;
                if (position + need > until) {
                    return stop(until);
                }
                position += Escaping.escapeByte(c, buffer, position);
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD; // lone surrogate
            }
            final int bytes = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (position + bytes * 4 > until) {
                return stop(until);
            }
            if (bytes == 2) {
                position += Escaping.escapeByte(0xC0 | cp >>> 6, buffer, position);
            } else if (bytes == 3) {
                position += Escaping.escapeByte(0xE0 | cp >>> 12, buffer, position);
                position += Escaping.escapeByte(0x80 | (cp >>> 6 & 0x3F), buffer, position);
            } else {
                position += Escaping.escapeByte(0xF0 | cp >>> 18, buffer, position);
                position += Escaping.escapeByte(0x80 | (cp >>> 12 & 0x3F), buffer, position);
                position += Escaping.escapeByte(0x80 | (cp >>> 6 & 0x3F), buffer, position);
            }
            position += Escaping.escapeByte(0x80 | (cp & 0x3F), buffer, position);
        }
        return true;
    }

    private boolean stop(final int until) {
        if (until == limit) {
            overflow = true;
        }
        return false;
    }
}

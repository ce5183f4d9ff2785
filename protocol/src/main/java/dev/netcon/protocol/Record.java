package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One extended record: header fields plus its raw (still escaped) body, which is the escaped text,
 * then optional dictionary lines {@code "\n KEY=VALUE"}.
 *
 * <p>A reusable flyweight: {@link #wrap} points it at bytes owned by someone else (a datagram, a
 * reassembly buffer); {@link #copyFrom} copies into storage of its own, grown once and kept, for records
 * that must outlive the datagram (the reorder window). After {@link #parseBody()} the text and
 * dictionary ranges are available without allocation.
 */
public final class Record {
    /** Dictionary lines beyond this are kept in the body but not indexed. */
    public static final int MAX_DICT_ENTRIES = 32;
    private static final byte NEWLINE = '\n';
    private static final byte BACKSLASH = '\\';
    private static final byte EQUALS = '=';

    private int prefix;
    private long seq;
    private long tsUsec;
    private byte flag = Wire.FLAG_NONE;
    private boolean emergency;

    private DirectBuffer buffer;
    private int releaseOffset;
    private int releaseLength;
    private int bodyOffset;
    private int bodyLength;

    private int textLength;
    private int dictCount;
    private int[] dictRanges;
    private ExpandableArrayBuffer storage;

    /** Points this record at a header and a body held elsewhere; the body is not yet parsed. */
    public Record wrap(final int prefix, final long seq, final long tsUsec, final byte flag, final boolean emergency,
                       final DirectBuffer buffer, final int releaseOffset, final int releaseLength,
                       final int bodyOffset, final int bodyLength) {
        this.prefix = prefix;
        this.seq = seq;
        this.tsUsec = tsUsec;
        this.flag = flag;
        this.emergency = emergency;
        this.buffer = buffer;
        this.releaseOffset = releaseOffset;
        this.releaseLength = releaseLength;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
        this.textLength = -1;
        this.dictCount = 0;
        return this;
    }

    /** Points this record at the header of {@code frame} (release included) and the given body. */
    public Record wrap(final FrameDecoder frame, final DirectBuffer body, final int bodyOffset, final int bodyLength) {
        return wrap(frame.prefix(), frame.seq(), frame.tsUsec(), frame.flag(), frame.isEmergency(),
            frame.buffer(), frame.releaseOffset(), frame.releaseLength(), 0, 0)
            .body(body, bodyOffset, bodyLength, frame.buffer());
    }

    private Record body(final DirectBuffer body, final int offset, final int length, final DirectBuffer releaseBuffer) {
        if (body == releaseBuffer) {
            this.bodyOffset = offset;
            this.bodyLength = length;
            return this;
        }
        // Release and body live in different buffers: gather both into own storage.
        final ExpandableArrayBuffer dst = storage();
        dst.putBytes(0, releaseBuffer, releaseOffset, releaseLength);
        dst.putBytes(releaseLength, body, offset, length);
        this.buffer = dst;
        this.releaseOffset = 0;
        this.bodyOffset = releaseLength;
        this.bodyLength = length;
        return this;
    }

    /** Deep copy of {@code other} into this record's own storage (parsed state included). */
    public Record copyFrom(final Record other) {
        final ExpandableArrayBuffer dst = storage();
        dst.putBytes(0, other.buffer, other.releaseOffset, other.releaseLength);
        dst.putBytes(other.releaseLength, other.buffer, other.bodyOffset, other.bodyLength);
        wrap(other.prefix, other.seq, other.tsUsec, other.flag, other.emergency,
            dst, 0, other.releaseLength, other.releaseLength, other.bodyLength);
        if (other.textLength >= 0) {
            parseBody();
        }
        return this;
    }

    /**
     * Joins a {@code '+'} continuation onto this record: its text is appended to this record's text;
     * dictionary lines of both are kept, this record's first. The result lives in this record's storage.
     */
    public Record appendContinuation(final Record next) {
        parseBody();
        next.parseBody();
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(bodyLength + next.bodyLength + releaseLength);
        int w = 0;
        scratch.putBytes(w, buffer, releaseOffset, releaseLength);
        w += releaseLength;
        final int newBodyOffset = w;
        scratch.putBytes(w, buffer, bodyOffset, textLength);
        w += textLength;
        scratch.putBytes(w, next.buffer, next.bodyOffset, next.textLength);
        w += next.textLength;
        scratch.putBytes(w, buffer, bodyOffset + textLength, bodyLength - textLength);
        w += bodyLength - textLength;
        final int nextDictStart = next.bodyOffset + next.textLength;
        final int nextDictLength = next.bodyLength - next.textLength;
        if (nextDictLength > 1) {
            if (w > newBodyOffset && scratch.getByte(w - 1) == '\n') {
                w--; // keep one separator between the two dictionaries
            }
            scratch.putBytes(w, next.buffer, nextDictStart, nextDictLength);
            w += nextDictLength;
        }
        final ExpandableArrayBuffer dst = storage();
        dst.putBytes(0, scratch, 0, w);
        wrap(prefix, seq, tsUsec, flag, emergency, dst, 0, releaseLength, newBodyOffset, w - newBodyOffset);
        parseBody();
        return this;
    }

    /**
     * Splits the body into text and dictionary and checks its escapes.
     *
     * @return {@link FrameError#NONE}, {@link FrameError#BAD_ESCAPE} or {@link FrameError#BAD_DICTIONARY}.
     */
    public FrameError parseBody() {
        final DirectBuffer b = buffer;
        final int start = bodyOffset;
        final int end = bodyOffset + bodyLength;
        dictCount = 0;
        // The text runs to the first '\n'. One scan finds it and checks every escape on the way (an escape
        // never holds a '\n', so checking it against the body's end is the same as against the text's).
        int i = start;
        boolean escapesValid = true;
        while ((i = ByteScan.indexOfEither(b, i, end, NEWLINE, BACKSLASH)) < end && b.getByte(i) == BACKSLASH) {
            if (Escaping.escapeValue(b, i, end) < 0) {
                escapesValid = false;
                i = ByteScan.indexOfEither(b, i, end, NEWLINE, NEWLINE);
                break;
            }
            i += 4;
        }
        textLength = i - start;
        if (!escapesValid) {
            return FrameError.BAD_ESCAPE;
        }
        // i is at '\n' (or end). Each following line is " KEY=VALUE", the last may lack its '\n'.
        while (i < end) {
            final int lineStart = i + 1;
            if (lineStart == end) {
                break; // trailing newline
            }
            final int lineEnd = ByteScan.indexOfEither(b, lineStart, end, NEWLINE, NEWLINE);
            if (b.getByte(lineStart) != ' ') {
                return FrameError.BAD_DICTIONARY;
            }
            final int eq = ByteScan.indexOfEither(b, lineStart + 1, lineEnd, EQUALS, EQUALS);
            if (eq == lineEnd || eq == lineStart + 1) {
                return FrameError.BAD_DICTIONARY;
            }
            if (!Escaping.isValid(b, eq + 1, lineEnd - eq - 1)) {
                return FrameError.BAD_ESCAPE;
            }
            if (dictCount < MAX_DICT_ENTRIES) {
                final int[] r = dictRanges();
                final int k = dictCount * 3;
                r[k] = lineStart + 1;
                r[k + 1] = eq;
                r[k + 2] = lineEnd;
                dictCount++;
            }
            i = lineEnd;
        }
        return FrameError.NONE;
    }

    public int prefix() {
        return prefix;
    }

    public int facility() {
        return Wire.facility(prefix);
    }

    public int level() {
        return Wire.level(prefix);
    }

    /** Unsigned 64-bit sequence number. */
    public long seq() {
        return seq;
    }

    public long tsUsec() {
        return tsUsec;
    }

    public byte flag() {
        return flag;
    }

    /** True for a {@code c} record (KERN_CONT the kernel could not merge). */
    public boolean isCont() {
        return flag == Wire.FLAG_CONT;
    }

    public boolean isEmergency() {
        return emergency;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int releaseOffset() {
        return releaseOffset;
    }

    public int releaseLength() {
        return releaseLength;
    }

    public boolean hasRelease() {
        return releaseLength > 0;
    }

    public int bodyOffset() {
        return bodyOffset;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** Offset of the escaped text; valid after {@link #parseBody()}. */
    public int textOffset() {
        return bodyOffset;
    }

    /** Length of the escaped text; valid after {@link #parseBody()}. */
    public int textLength() {
        return textLength;
    }

    public int dictCount() {
        return dictCount;
    }

    public int dictKeyOffset(final int index) {
        return dictRanges[index * 3];
    }

    public int dictKeyLength(final int index) {
        return dictRanges[index * 3 + 1] - dictRanges[index * 3];
    }

    /** Offset of the escaped value. */
    public int dictValueOffset(final int index) {
        return dictRanges[index * 3 + 1] + 1;
    }

    public int dictValueLength(final int index) {
        return dictRanges[index * 3 + 2] - dictRanges[index * 3 + 1] - 1;
    }

    /** Index of the dictionary entry with this (ASCII) key, or -1. Allocation-free. */
    public int dictIndexOf(final CharSequence key) {
        for (int i = 0; i < dictCount; i++) {
            if (asciiEquals(buffer, dictKeyOffset(i), dictKeyLength(i), key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The dictionary value of {@code key} parsed as a non-negative decimal, or {@code missingValue} when
     * absent or not a number. Allocation-free.
     */
    public long dictLong(final CharSequence key, final long missingValue) {
        final int i = dictIndexOf(key);
        if (i < 0) {
            return missingValue;
        }
        final long v = Numbers.parseUnsignedDecimal(buffer, dictValueOffset(i), dictValueLength(i));
        return v == Numbers.NOT_A_NUMBER ? missingValue : v;
    }

    /** The text with escapes decoded, as UTF-8 (invalid bytes become U+FFFD). Allocates: not for hot paths. */
    public String text() {
        return Text.unescapeToString(buffer, textOffset(), textLength);
    }

    /** The release prefix, or null. Allocates. */
    public String release() {
        return releaseLength == 0 ? null : buffer.getStringWithoutLengthAscii(releaseOffset, releaseLength);
    }

    public String dictKey(final int index) {
        return buffer.getStringWithoutLengthAscii(dictKeyOffset(index), dictKeyLength(index));
    }

    /** A dictionary value with escapes decoded. Allocates. */
    public String dictValue(final int index) {
        return Text.unescapeToString(buffer, dictValueOffset(index), dictValueLength(index));
    }

    /** The dictionary value for {@code key}, unescaped, or null. Allocates. */
    public String dictValue(final CharSequence key) {
        final int i = dictIndexOf(key);
        return i < 0 ? null : dictValue(i);
    }

    /** Writes this record as one unfragmented extended frame; returns its length or {@link FrameEncoder#NO_ROOM}. */
    public int encodeTo(final FrameEncoder encoder, final MutableDirectBuffer dst, final int offset, final int capacity) {
        return encoder.wrap(dst, offset, capacity)
            .header(buffer, releaseOffset, releaseLength, prefix, seq, tsUsec, flag)
            .headerField(emergency ? Wire.NCEMG : null, 1)
            .rawBody(buffer, bodyOffset, bodyLength)
            .finishRaw();
    }

    @Override
    public String toString() {
        return "Record{seq=" + Long.toUnsignedString(seq) + ", prefix=" + prefix + ", tsUsec=" + tsUsec
            + ", flag=" + (char) flag + ", body=" + buffer.getStringWithoutLengthUtf8(bodyOffset, bodyLength) + '}';
    }

    static boolean asciiEquals(final DirectBuffer b, final int offset, final int length, final CharSequence s) {
        if (length != s.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b.getByte(offset + i) != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int[] dictRanges() {
        if (dictRanges == null) {
            dictRanges = new int[MAX_DICT_ENTRIES * 3];
        }
        return dictRanges;
    }

    private ExpandableArrayBuffer storage() {
        if (storage == null) {
            storage = new ExpandableArrayBuffer(256);
        }
        return storage;
    }

    static String utf8(final byte[] bytes, final int length) {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}

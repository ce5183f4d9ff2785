package dev.netcon.protocol;

import org.agrona.DirectBuffer;

/**
 * Flyweight decoder of one datagram. {@link #decode} classifies it as an extended frame or a plain
 * (legacy) frame, parses an extended header, and leaves the fields readable until the next call. It
 * allocates nothing and never throws on bad input: every rejection is a {@link FrameError}.
 *
 * <p>A datagram is taken as extended when it starts with {@code <digits>,<digits>,} optionally preceded by a
 * release token ({@code <release>,}, no spaces or separators); anything else is plain text. Once a frame is
 * taken as extended, any deviation from the grammar rejects it.
 */
public final class FrameDecoder {
    /** Default upper bound on a datagram; kernel and netcon frames are at most {@link Wire#MAX_PAYLOAD}. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 8192;
    /** Default upper bound on a reassembled record's body ({@code total} in ncfrag). */
    public static final int DEFAULT_MAX_RECORD_LENGTH = 64 * 1024;

    public enum Kind { EXTENDED, PLAIN }

    private final int maxFrameLength;
    private final int maxRecordLength;
    private final long[] number = new long[1];

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private Kind kind;
    private int releaseOffset;
    private int releaseLength;
    private int prefix;
    private long seq;
    private long tsUsec;
    private byte flag;
    private int headerEnd;
    private int fragOffset;
    private int fragTotal;
    private boolean emergency;

    public FrameDecoder() {
        this(DEFAULT_MAX_FRAME_LENGTH, DEFAULT_MAX_RECORD_LENGTH);
    }

    public FrameDecoder(final int maxFrameLength, final int maxRecordLength) {
        this.maxFrameLength = maxFrameLength;
        this.maxRecordLength = maxRecordLength;
    }

    /** Decodes {@code buffer[offset, offset + length)}. The fields refer to the buffer until the next call. */
    public FrameError decode(final DirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        kind = Kind.PLAIN;
        releaseOffset = offset;
        releaseLength = 0;
        prefix = 0;
        seq = 0;
        tsUsec = 0;
        flag = Wire.FLAG_NONE;
        headerEnd = offset;
        fragOffset = -1;
        fragTotal = -1;
        emergency = false;
        if (length <= 0) {
            return FrameError.EMPTY;
        }
        if (length > maxFrameLength) {
            return FrameError.OVERSIZE;
        }
        final int end = offset + length;
        final int headerStart = extendedHeaderStart(buffer, offset, end);
        if (headerStart < 0) {
            return FrameError.NONE; // plain
        }
        kind = Kind.EXTENDED;
        if (headerStart > offset) {
            releaseLength = headerStart - 1 - offset;
            if (releaseLength > Wire.MAX_RELEASE_LENGTH) {
                return FrameError.BAD_RELEASE;
            }
        }
        return parseHeader(headerStart, end);
    }

    private FrameError parseHeader(final int start, final int end) {
        final DirectBuffer b = buffer;
        final int limit = Math.min(end, start + Wire.MAX_HEADER_LENGTH);
        int semi = start;
        while (semi < limit && b.getByte(semi) != ';') {
            semi++;
        }
        if (semi == limit) {
            return semi == end ? FrameError.NO_HEADER : FrameError.OVERSIZE;
        }
        headerEnd = semi;

        int fieldStart = start;
        int fieldEnd = nextComma(b, fieldStart, semi);
        final long p = Numbers.parseUnsignedDecimal(b, fieldStart, fieldEnd - fieldStart);
        if (p == Numbers.NOT_A_NUMBER) {
            return FrameError.BAD_NUMBER;
        }
        if (p > Wire.MAX_PREFIX) {
            return FrameError.BAD_PREFIX;
        }
        prefix = (int) p;

        if (fieldEnd == semi) {
            return FrameError.TRUNCATED;
        }
        fieldStart = fieldEnd + 1;
        fieldEnd = nextComma(b, fieldStart, semi);
        final int r = Numbers.parseUnsigned64(b, fieldStart, fieldEnd - fieldStart, number);
        if (r == Numbers.OVERFLOW) {
            return FrameError.SEQ_OVERFLOW;
        }
        if (r < 0) {
            return FrameError.BAD_NUMBER;
        }
        seq = number[0];

        if (fieldEnd == semi) {
            return FrameError.TRUNCATED;
        }
        fieldStart = fieldEnd + 1;
        fieldEnd = nextComma(b, fieldStart, semi);
        tsUsec = Numbers.parseUnsignedDecimal(b, fieldStart, fieldEnd - fieldStart);
        if (tsUsec == Numbers.NOT_A_NUMBER) {
            tsUsec = 0;
            return FrameError.BAD_NUMBER;
        }

        if (fieldEnd == semi) {
            return FrameError.TRUNCATED;
        }
        fieldStart = fieldEnd + 1;
        fieldEnd = nextComma(b, fieldStart, semi);
        if (fieldEnd - fieldStart != 1) {
            return FrameError.BAD_FLAG;
        }
        flag = b.getByte(fieldStart);
        if (flag != Wire.FLAG_NONE && flag != Wire.FLAG_CONT && flag != Wire.FLAG_CONT_MORE) {
            return FrameError.BAD_FLAG;
        }

        while (fieldEnd < semi) {
            fieldStart = fieldEnd + 1;
            fieldEnd = nextComma(b, fieldStart, semi);
            final FrameError e = parseField(fieldStart, fieldEnd);
            if (e != FrameError.NONE) {
                return e;
            }
        }
        if (fragTotal >= 0) {
            if (fragTotal > maxRecordLength) {
                return FrameError.OVERSIZE;
            }
            final int chunk = bodyLength();
            if (fragOffset >= fragTotal || chunk == 0 || fragOffset + chunk > fragTotal) {
                return FrameError.FRAGMENT_OUT_OF_RANGE;
            }
        }
        return FrameError.NONE;
    }

    /** One {@code key=value} header field after the flag; unknown keys are tolerated. */
    private FrameError parseField(final int start, final int end) {
        final DirectBuffer b = buffer;
        int eq = start;
        while (eq < end && b.getByte(eq) != '=') {
            eq++;
        }
        if (eq == start) {
            return FrameError.BAD_FIELD;
        }
        if (Record.asciiEquals(b, start, eq - start, Wire.NCFRAG)) {
            if (eq == end) {
                return FrameError.FRAGMENT_OUT_OF_RANGE;
            }
            int slash = eq + 1;
            while (slash < end && b.getByte(slash) != '/') {
                slash++;
            }
            final long off = Numbers.parseUnsignedDecimal(b, eq + 1, slash - eq - 1);
            final long total = slash == end ? Numbers.NOT_A_NUMBER : Numbers.parseUnsignedDecimal(b, slash + 1, end - slash - 1);
            if (off == Numbers.NOT_A_NUMBER || total == Numbers.NOT_A_NUMBER || total > Integer.MAX_VALUE) {
                return FrameError.FRAGMENT_OUT_OF_RANGE;
            }
            fragOffset = (int) off;
            fragTotal = (int) total;
        } else if (Record.asciiEquals(b, start, eq - start, Wire.NCEMG)) {
            emergency = eq + 2 == end && b.getByte(eq + 1) == '1';
        }
        return FrameError.NONE;
    }

    private static int nextComma(final DirectBuffer b, final int from, final int end) {
        int i = from;
        while (i < end && b.getByte(i) != ',') {
            i++;
        }
        return i;
    }

    /**
     * Where the prefix field starts if the datagram looks extended ({@code [release,]digits,digits,}),
     * else -1. The release token may hold no ',', ';', whitespace or control bytes.
     */
    private static int extendedHeaderStart(final DirectBuffer b, final int offset, final int end) {
        if (startsWithTwoNumbers(b, offset, end)) {
            return offset;
        }
        final int limit = Math.min(end, offset + 2 * Wire.MAX_RELEASE_LENGTH); // longer ones are rejected, not taken as plain
        for (int i = offset; i < limit; i++) {
            final byte c = b.getByte(i);
            if (c == ',') {
                return i > offset && startsWithTwoNumbers(b, i + 1, end) ? i + 1 : -1;
            }
            if (c <= ' ' || c == ';' || c >= 0x7f) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean startsWithTwoNumbers(final DirectBuffer b, final int from, final int end) {
        int i = from;
        for (int field = 0; field < 2; field++) {
            final int start = i;
            while (i < end && isDigit(b.getByte(i))) {
                i++;
            }
            if (i == start || i == end || b.getByte(i) != ',') {
                return false;
            }
            i++;
        }
        return true;
    }

    private static boolean isDigit(final byte c) {
        return c >= '0' && c <= '9';
    }

    public Kind kind() {
        return kind;
    }

    public boolean isExtended() {
        return kind == Kind.EXTENDED;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int releaseOffset() {
        return releaseOffset;
    }

    public int releaseLength() {
        return releaseLength;
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

    /** Unsigned 64-bit sequence number (compare with {@link Long#compareUnsigned}). */
    public long seq() {
        return seq;
    }

    public long tsUsec() {
        return tsUsec;
    }

    public byte flag() {
        return flag;
    }

    public boolean isEmergency() {
        return emergency;
    }

    public boolean isFragment() {
        return fragTotal >= 0;
    }

    /** Byte offset of this fragment's chunk in the record body, or -1. */
    public int fragOffset() {
        return fragOffset;
    }

    /** Total body length of the fragmented record, or -1. */
    public int fragTotal() {
        return fragTotal;
    }

    /** Offset of the header's first field (after any release). */
    public int headerOffset() {
        return releaseLength == 0 ? offset : releaseOffset + releaseLength + 1;
    }

    /** Offset of the ';' that ends the header. */
    public int headerEnd() {
        return headerEnd;
    }

    /** Offset of the body: after ';' for extended frames, the whole datagram for plain ones. */
    public int bodyOffset() {
        return kind == Kind.EXTENDED ? headerEnd + 1 : offset;
    }

    public int bodyLength() {
        return offset + length - bodyOffset();
    }
}

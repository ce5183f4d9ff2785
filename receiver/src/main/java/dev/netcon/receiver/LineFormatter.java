package dev.netcon.receiver;

import dev.netcon.protocol.ByteScan;
import dev.netcon.protocol.Escaping;
import dev.netcon.protocol.Numbers;
import dev.netcon.protocol.Record;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats stored lines (docs/storage.md) into a reused buffer, allocation-free except for the date part,
 * which is recomputed once per second:
 *
 * <pre>receivedAt TAB kind TAB host TAB source TAB seq TAB facility TAB level TAB flag TAB tsUsec TAB text [TAB KEY=VALUE]...</pre>
 */
final class LineFormatter {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    final ExpandableArrayBuffer line = new ExpandableArrayBuffer(2048);
    private final byte[] dateSeconds = new byte[19];
    private long cachedSecond = Long.MIN_VALUE;
    private int length;

    int length() {
        return length;
    }

    /** The record line; text and dictionary are copied escaped, raw control bytes escaped on the way. */
    LineFormatter record(final long epochMs, final String host, final String source, final Record r) {
        int p = prefix(epochMs, "rec", host, source);
        p += Numbers.putUnsigned(line, p, r.seq());
        line.putByte(p++, (byte) '\t');
        p += Numbers.putUnsigned(line, p, r.facility());
        line.putByte(p++, (byte) '\t');
        p += Numbers.putUnsigned(line, p, r.level());
        line.putByte(p++, (byte) '\t');
        line.putByte(p++, r.flag());
        line.putByte(p++, (byte) '\t');
        p += Numbers.putUnsigned(line, p, r.tsUsec());
        line.putByte(p++, (byte) '\t');
        p = copyEscaped(r.buffer(), r.textOffset(), r.textLength(), p);
        for (int i = 0; i < r.dictCount(); i++) {
            line.putByte(p++, (byte) '\t');
            p = copyEscaped(r.buffer(), r.dictKeyOffset(i), r.dictKeyLength(i), p);
            line.putByte(p++, (byte) '=');
            p = copyEscaped(r.buffer(), r.dictValueOffset(i), r.dictValueLength(i), p);
        }
        length = p;
        return this;
    }

    /** One line of a plain frame, fully escaped. */
    LineFormatter plain(final long epochMs, final String host, final String source, final DirectBuffer b, final int offset,
                        final int len) {
        int p = prefix(epochMs, "plain", host, source);
        p = dashes(p, 5);
        for (int i = offset, end = offset + len; i < end; i++) {
            line.checkLimit(p + 4);
            p += Escaping.escapeByte(b.getByte(i), line, p);
        }
        length = p;
        return this;
    }

    LineFormatter missing(final long epochMs, final String host, final String source, final long first, final long last) {
        int p = prefix(epochMs, "missing", host, source);
        p += Numbers.putUnsigned(line, p, first);
        line.putByte(p++, (byte) '-');
        p += Numbers.putUnsigned(line, p, last);
        line.putByte(p++, (byte) '\t');
        p = dashes(p, 4);
        p = ascii(p, "MISSING ");
        p += Numbers.putUnsigned(line, p, last - first + 1);
        p = ascii(p, " records seq ");
        p += Numbers.putUnsigned(line, p, first);
        p = ascii(p, "..");
        p += Numbers.putUnsigned(line, p, last);
        length = p;
        return this;
    }

    LineFormatter reset(final long epochMs, final String host, final String source, final long lastSeq, final long newSeq) {
        int p = prefix(epochMs, "reset", host, source);
        p += Numbers.putUnsigned(line, p, newSeq);
        line.putByte(p++, (byte) '\t');
        p = dashes(p, 4);
        p = ascii(p, "SEQ RESET after ");
        p += Numbers.putUnsigned(line, p, lastSeq);
        p = ascii(p, ", now ");
        p += Numbers.putUnsigned(line, p, newSeq);
        length = p;
        return this;
    }

    private int prefix(final long epochMs, final String kind, final String host, final String source) {
        line.checkLimit(256 + host.length() + source.length());
        int p = time(epochMs);
        line.putByte(p++, (byte) '\t');
        p = ascii(p, kind);
        line.putByte(p++, (byte) '\t');
        p = ascii(p, host);
        line.putByte(p++, (byte) '\t');
        p = ascii(p, source);
        line.putByte(p++, (byte) '\t');
        return p;
    }

    private int dashes(final int at, final int n) {
        int p = at;
        for (int i = 0; i < n; i++) {
            line.putByte(p++, (byte) '-');
            line.putByte(p++, (byte) '\t');
        }
        return p;
    }

    /** 2026-11-25T03:05:01.123000Z (milliseconds, as microseconds). */
    private int time(final long epochMs) {
        final long second = Math.floorDiv(epochMs, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            final byte[] d = SECONDS.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(d, 0, dateSeconds, 0, dateSeconds.length);
        }
        line.putBytes(0, dateSeconds);
        int p = dateSeconds.length;
        line.putByte(p++, (byte) '.');
        final int ms = (int) Math.floorMod(epochMs, 1000);
        line.putByte(p++, (byte) ('0' + ms / 100));
        line.putByte(p++, (byte) ('0' + ms / 10 % 10));
        line.putByte(p++, (byte) ('0' + ms % 10));
        line.putByte(p++, (byte) '0');
        line.putByte(p++, (byte) '0');
        line.putByte(p++, (byte) '0');
        line.putByte(p++, (byte) 'Z');
        return p;
    }

    private int ascii(final int at, final String s) {
        int p = at;
        line.checkLimit(p + s.length());
        for (int i = 0; i < s.length(); i++) {
            line.putByte(p++, (byte) s.charAt(i));
        }
        return p;
    }

    /** Copies already-escaped bytes; a raw control byte a hostile sender slipped in is escaped too. */
    private int copyEscaped(final DirectBuffer b, final int offset, final int len, final int at) {
        int p = at;
        line.checkLimit(p + len * 4 + 8);
        final int end = offset + len;
        for (int i = offset; i < end; ) {
            final int control = ByteScan.indexOfControl(b, i, end);
            line.putBytes(p, b, i, control - i); // the run before it, as is
            p += control - i;
            if (control < end) {
                p += Escaping.escapeByte(b.getByte(control), line, p);
            }
            i = control + 1;
        }
        return p;
    }
}

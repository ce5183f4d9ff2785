package dev.netcon.receiver;

import dev.netcon.protocol.ByteScan;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Reads a datagram's {@code host=} dictionary value where it lies, without decoding the record, so that the
 * worker can tell whether a source's address and port now carry another sender's records (behind a NAT, a
 * restarted container, a reused port). Allocation-free: scans, then compares bytes.
 */
final class HostField {
    private static final byte NEWLINE = '\n';
    private static final byte[] HOST_LINE = " host=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NCFRAG = "ncfrag=".getBytes(StandardCharsets.US_ASCII);

    private HostField() {
    }

    /**
     * True when the datagram {@code b[offset, offset + length)} is a whole extended record (not an {@code ncfrag}
     * fragment, whose body may stop inside the line) with a {@code host=} value other than {@code expected}
     * (compared as sent, escapes included). A record without {@code host=}, or anything else, says nothing
     * about its sender: false.
     */
    static boolean differs(final DirectBuffer b, final int offset, final int length, final DirectBuffer expected) {
        final int end = offset + length;
        if (length == 0 || b.getByte(offset) < '0' || b.getByte(offset) > '9') {
            return false; // an extended header starts with a number (the release's or the prefix); plain text does not
        }
        final int headerEnd = ByteScan.indexOfEither(b, offset, end, (byte) ';', (byte) ';');
        if (headerEnd == end || isFragment(b, offset, headerEnd)) {
            return false;
        }
        int lineEnd = ByteScan.indexOfEither(b, headerEnd + 1, end, NEWLINE, NEWLINE); // the text ends here
        while (lineEnd < end) {
            final int lineStart = lineEnd + 1;
            lineEnd = ByteScan.indexOfEither(b, lineStart, end, NEWLINE, NEWLINE);
            if (startsWith(b, lineStart, lineEnd, HOST_LINE)) {
                final int valueStart = lineStart + HOST_LINE.length;
                return !equal(b, valueStart, lineEnd - valueStart, expected);
            }
        }
        return false;
    }

    private static boolean isFragment(final DirectBuffer b, final int from, final int headerEnd) {
        for (int comma = from; (comma = ByteScan.indexOfEither(b, comma, headerEnd, (byte) ',', (byte) ',')) < headerEnd; comma++) {
            if (startsWith(b, comma + 1, headerEnd, NCFRAG)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(final DirectBuffer b, final int from, final int to, final byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.getByte(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(final DirectBuffer b, final int from, final int length, final DirectBuffer expected) {
        if (length != expected.capacity()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b.getByte(from + i) != expected.getByte(i)) {
                return false;
            }
        }
        return true;
    }
}

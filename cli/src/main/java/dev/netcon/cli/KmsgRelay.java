package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import dev.netcon.sender.DropCause;
import dev.netcon.sender.FrameStatus;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loop of {@code netcon send --kmsg}: reads kernel records from a {@link KmsgInput} and hands each to a
 * pass-through sender as it is, so that it keeps the kernel's seq, level, facility, timestamp and dictionary.
 *
 * <ul>
 * <li>A forward jump in seq means the kernel overwrote records before they were read (/dev/kmsg's EPIPE): the
 *     missing range is reported in-band as {@code source_overrun}, under the first missing seq, just before the
 *     record after the gap, so that the receiver counts it as dropped at the source, not lost in transit.</li>
 * <li>A record the sender refuses (malformed, or too long) is replaced by an {@code invalid_record} report
 *     under its seq. A piece of input without a readable header has no seq to report: it is counted and named
 *     on stderr.</li>
 * <li>The relay waits for room in the sender's ring instead of dropping: it reads no faster than the network
 *     drains, and the kernel's buffer holds the rest (overwriting the oldest if it must: an overrun).</li>
 * <li>From the end ({@code --kmsg-from=end}): records are skipped until the start marker that the command
 *     wrote to /dev/kmsg comes by; it is the first record relayed.</li>
 * </ul>
 */
final class KmsgRelay {
    /** What the relay sends to: a pass-through {@link dev.netcon.sender.NetconSender}. */
    interface Sink {
        FrameStatus offerFrame(DirectBuffer frame, int offset, int length);

        FrameStatus offerDropReport(long first, long last, long count, long tsUsec, DropCause cause);

        boolean flush(Duration timeout);
    }

    private static final int MAX_WARNINGS = 10;
    /** How long to wait for the start marker before relaying anyway (printk_devkmsg=off drops what is written). */
    static final long MARKER_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private final KmsgInput input;
    private final Sink sink;
    private final AtomicBoolean stop;
    private final PrintStream err;
    private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE);
    private final Record record = new Record();

    private byte[] marker;
    private long markerDeadlineNs;
    private boolean haveSeq;
    private long lastSeq;
    private int warnings;

    // Written by the relaying thread, read by the stats printers.
    private volatile long read;
    private volatile long relayed;
    private volatile long skipped;
    private volatile long overruns;
    private volatile long gaps;
    private volatile long lost;
    private volatile long invalid;

    KmsgRelay(final KmsgInput input, final Sink sink, final AtomicBoolean stop, final PrintStream err) {
        this.input = input;
        this.sink = sink;
        this.stop = stop;
        this.err = err;
    }

    /** Skip records until one whose text is {@code markerText} (then relay it and all after it). */
    KmsgRelay startAtMarker(final String markerText, final long nowNs) {
        marker = markerText.getBytes(StandardCharsets.US_ASCII);
        markerDeadlineNs = nowNs + MARKER_WAIT_NS;
        return this;
    }

    /** Relays until the input ends, {@code stop} is set, or the thread is interrupted. */
    void run() throws IOException {
        while (!stop.get()) {
            final int n;
            try {
                n = input.next();
            } catch (final ClosedChannelException e) {
                return; // interrupted (SIGTERM) while reading
            }
            if (n == KmsgInput.EOF) {
                return;
            }
            if (n == KmsgInput.OVERRUN) {
                overruns++; // the next record's seq shows how many
                continue;
            }
            read++;
            relay(input.buffer(), input.offset(), n);
        }
    }

    void relay(final DirectBuffer buffer, final int offset, final int length) {
        if (decoder.decode(buffer, offset, length) != FrameError.NONE || !decoder.isExtended()) {
            invalid++;
            warn("skipped input that is not a kmsg record: " + excerpt(buffer, offset, length));
            return;
        }
        final long seq = decoder.seq();
        final long tsUsec = decoder.tsUsec();
        if (marker != null) {
            if (isMarker(buffer)) {
                marker = null;
            } else if (System.nanoTime() - markerDeadlineNs > 0) {
                marker = null;
                warn("the start marker did not come back from the kernel log (printk_devkmsg=off?): relaying from seq "
                    + Long.toUnsignedString(seq));
            } else {
                skipped++;
                haveSeq = true;
                lastSeq = seq;
                return;
            }
        }
        if (haveSeq && seq - lastSeq > 1 && seq - lastSeq < 1L << 62) {
            final long first = lastSeq + 1;
            final long last = seq - 1;
            gaps++;
            lost += last - first + 1;
            if (!report(first, last, tsUsec, DropCause.SOURCE_OVERRUN)) {
                return;
            }
        }
        haveSeq = true;
        lastSeq = seq;
        FrameStatus s;
        while ((s = sink.offerFrame(buffer, offset, length)) == FrameStatus.FULL) {
            if (stop.get()) {
                return;
            }
            sink.flush(Duration.ofMillis(50));
        }
        if (s == FrameStatus.QUEUED) {
            relayed++;
        } else if (s == FrameStatus.INVALID || s == FrameStatus.TOO_LONG) {
            invalid++;
            warn((s == FrameStatus.INVALID ? "invalid" : "too long") + " kmsg record seq " + Long.toUnsignedString(seq)
                + " replaced by a drop report: " + excerpt(buffer, offset, length));
            report(seq, seq, tsUsec, DropCause.INVALID_RECORD);
        }
    }

    private boolean report(final long first, final long last, final long tsUsec, final DropCause cause) {
        FrameStatus s;
        while ((s = sink.offerDropReport(first, last, last - first + 1, tsUsec, cause)) == FrameStatus.FULL) {
            if (stop.get()) {
                return false;
            }
            sink.flush(Duration.ofMillis(50));
        }
        return s == FrameStatus.QUEUED;
    }

    private boolean isMarker(final DirectBuffer buffer) {
        record.wrap(decoder, buffer, decoder.bodyOffset(), decoder.bodyLength());
        if (record.parseBody() != FrameError.NONE || record.textLength() != marker.length) {
            return false;
        }
        final int at = record.textOffset();
        for (int i = 0; i < marker.length; i++) {
            if (buffer.getByte(at + i) != marker[i]) {
                return false;
            }
        }
        return true;
    }

    private void warn(final String message) {
        if (++warnings <= MAX_WARNINGS) {
            err.println("netcon send: " + message + (warnings == MAX_WARNINGS ? " (no more such warnings)" : ""));
        }
    }

    private static String excerpt(final DirectBuffer buffer, final int offset, final int fullLength) {
        int length = fullLength;
        while (length > 0 && buffer.getByte(offset + length - 1) == '\n') {
            length--;
        }
        final int n = Math.min(length, 80);
        final StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            final int c = buffer.getByte(offset + i) & 0xff;
            sb.append(c >= ' ' && c < 0x7f ? (char) c : '?');
        }
        return n < length ? sb.append("...").toString() : sb.toString();
    }

    long relayed() {
        return relayed;
    }

    long lost() {
        return lost;
    }

    long invalid() {
        return invalid;
    }

    @Override
    public String toString() {
        return "kmsg: read " + read + " records, relayed " + relayed + (skipped == 0 ? "" : ", skipped " + skipped + " before the start")
            + ", lost " + lost + " before they were read (" + gaps + " gaps, " + overruns + " overruns), invalid " + invalid;
    }
}

package dev.netcon.sender;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.NcrxMessage;
import dev.netcon.protocol.Wire;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The sender's half of netconsd's ncrx reliability protocol (docs/protocol.md): remembers what was sent
 * ({@link ResendHistory}), reads the receiver's {@code ncrx<acked>[ <missing>...]} answers from the sending
 * socket, resends each missing record still held, and when nothing has been acknowledged for
 * {@code emergencyAfterNs} enters emergency mode: unacknowledged records are resent oldest first, paced,
 * marked {@code ncemg=1}, until an acknowledgement moves forward again. Records that leave the history before
 * they were acknowledged can no longer be resent; they are counted and reported in band like drops.
 * Used by the agent thread only.
 */
final class ReliableLink {
    /** Between two resends of one record on request: duplicate or reordered acks must not multiply traffic. */
    static final long RESEND_MIN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Pace of emergency resends, as ncrx expects; after a full pass the next one starts after the slower pause. */
    static final long EMERGENCY_PACE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long EMERGENCY_PASS_PAUSE_NS = TimeUnit.SECONDS.toNanos(1);

    /** Sends one whole record (fragmenting it as needed); true if every datagram went out. */
    interface RecordSender {
        boolean sendRecord(DirectBuffer frame, int offset, int length);
    }

    private final ResendHistory history;
    private final InetSocketAddress peer;
    private final long emergencyAfterNs;
    private final NetconSender.DropLog evictedUnacked;
    private final NcrxMessage ack = new NcrxMessage();
    private final ByteBuffer ackBytes = ByteBuffer.allocateDirect(Wire.MAX_PAYLOAD + 1);
    private final UnsafeBuffer ackView = new UnsafeBuffer(ackBytes);
    private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE);
    private final UnsafeBuffer emergencyFrame;

    private boolean anySent;
    private long newestSent;
    private boolean anyAck;
    private long acked;
    private long unackedSinceNs;
    private boolean emergency;
    private long emergencyCursor;
    private long nextEmergencyNs;

    // Written by the agent thread, read by stats().
    volatile long acksReceived;
    volatile long retransmitted;
    volatile long emergencyResends;
    volatile long ackedSeq = -1;
    /** The newest seq sent, or -1: with {@link #ackedSeq}, tells other threads whether everything was acknowledged. */
    volatile long newestSentSeq = -1;

    ReliableLink(final int historyRecords, final int maxFrameBytes, final InetSocketAddress peer,
                 final long emergencyAfterNs, final NetconSender.DropLog evictedUnacked) {
        this.history = new ResendHistory(historyRecords, maxFrameBytes);
        this.peer = peer;
        this.emergencyAfterNs = emergencyAfterNs;
        this.evictedUnacked = evictedUnacked;
        this.emergencyFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(maxFrameBytes + ",ncemg=1".length()));
    }

    /** Remembers record {@code seq}, whose frame was just sent for the first time. */
    void onSent(final long seq, final DirectBuffer frame, final int offset, final int length, final long nowNs) {
        if (!hasUnacked()) {
            unackedSinceNs = nowNs; // the clock for emergency mode starts with the first unacknowledged record
        }
        final long evicted = history.add(seq, frame, offset, length, nowNs);
        if (evicted != -1 && isUnacked(evicted)) {
            evictedUnacked.drop(evicted);
        }
        if (!anySent || Long.compareUnsigned(seq, newestSent) > 0) {
            newestSent = seq;
            newestSentSeq = seq;
        }
        anySent = true;
    }

    /** Reads every pending ncrx answer and acts on it, then paces emergency resends; returns work done. */
    int poll(final DatagramTransport channel, final long nowNs, final RecordSender sender) throws IOException {
        int work = 0;
        SocketAddress from;
        while ((from = receive(channel)) != null) {
            work++;
            if (!peer.equals(from) || !ack.parse(ackView, 0, ackBytes.position())) {
                continue; // not our receiver, or not an ncrx answer: ignore it
            }
            acksReceived++;
            onAck(nowNs);
            for (int i = 0; i < ack.missingCount(); i++) {
                work += resendOnRequest(ack.missing(i), nowNs, sender);
            }
        }
        return work + pollEmergency(nowNs, sender);
    }

    private SocketAddress receive(final DatagramTransport channel) throws IOException {
        ackBytes.clear();
        return channel.receive(ackBytes);
    }

    private void onAck(final long nowNs) {
        final long a = ack.acked();
        if (!anyAck || Long.compareUnsigned(a, acked) > 0) {
            anyAck = true;
            acked = a;
            ackedSeq = a;
            unackedSinceNs = nowNs; // progress: the receiver is alive
            emergency = false;
        }
    }

    private int resendOnRequest(final long seq, final long nowNs, final RecordSender sender) {
        if (!history.holds(seq) || nowNs - history.lastSentNs(seq) < RESEND_MIN_INTERVAL_NS) {
            return 0; // gone (reported when it left the history) or just resent
        }
        history.markSent(seq, nowNs);
        if (sender.sendRecord(history.frames(), history.offset(seq), history.length(seq))) {
            retransmitted++;
        }
        return 1;
    }

    private int pollEmergency(final long nowNs, final RecordSender sender) {
        if (!hasUnacked()) {
            emergency = false;
            return 0;
        }
        if (!emergency) {
            if (nowNs - unackedSinceNs < emergencyAfterNs) {
                return 0;
            }
            emergency = true;
            emergencyCursor = oldestUnacked();
            nextEmergencyNs = nowNs;
        }
        if (nowNs - nextEmergencyNs < 0) {
            return 0;
        }
        // Next held, unacknowledged record from the cursor; a pass that reaches the newest starts over, slower.
        long seq = emergencyCursor;
        int scanned = 0;
        while (!history.holds(seq) && Long.compareUnsigned(seq, newestSent) <= 0 && scanned++ < history.capacity()) {
            seq++;
        }
        if (Long.compareUnsigned(seq, newestSent) > 0 || !history.holds(seq)) {
            emergencyCursor = oldestUnacked();
            nextEmergencyNs = nowNs + EMERGENCY_PASS_PAUSE_NS;
            return 0;
        }
        emergencyCursor = seq + 1;
        nextEmergencyNs = nowNs + EMERGENCY_PACE_NS;
        final int length = markEmergency(history.frames(), history.offset(seq), history.length(seq));
        if (length > 0 && sender.sendRecord(emergencyFrame, 0, length)) {
            emergencyResends++;
            history.markSent(seq, nowNs);
        }
        return 1;
    }

    /** Copies a held frame into {@link #emergencyFrame} with {@code ,ncemg=1} added to its header. */
    private int markEmergency(final DirectBuffer frame, final int offset, final int length) {
        if (decoder.decode(frame, offset, length) != FrameError.NONE) {
            return 0;
        }
        final int headerLength = decoder.headerEnd() - offset;
        int w = 0;
        emergencyFrame.putBytes(w, frame, offset, headerLength);
        w += headerLength;
        w += emergencyFrame.putStringWithoutLengthAscii(w, ",ncemg=1");
        final int rest = length - headerLength; // ';' and the body
        emergencyFrame.putBytes(w, frame, decoder.headerEnd(), rest);
        return w + rest;
    }

    private long oldestUnacked() {
        final long windowStart = newestSent - history.capacity() + 1;
        if (!anyAck) {
            return Long.compareUnsigned(newestSent, history.capacity()) < 0 ? 0 : windowStart;
        }
        final long next = acked + 1;
        return Long.compareUnsigned(newestSent - next, history.capacity()) >= 0 ? windowStart : next;
    }

    private boolean hasUnacked() {
        return anySent && (!anyAck || Long.compareUnsigned(newestSent, acked) > 0);
    }

    private boolean isUnacked(final long seq) {
        return !anyAck || Long.compareUnsigned(seq, acked) > 0;
    }

    boolean inEmergency() {
        return emergency;
    }
}

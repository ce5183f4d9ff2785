package dev.netcon.sender;

import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.Fragmenter;
import dev.netcon.protocol.Wire;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The sender's one thread: drains the ring, cuts records over 1000 bytes into kernel-style fragments, sends
 * each datagram with a non-blocking socket to every target, and after drops sends an in-band report. A send
 * that would block or fails drops the record and counts it; nothing here waits for the network.
 */
final class SenderAgent implements Agent, MessageHandler, ReliableLink.RecordSender {
    private static final int BATCH = 256;
    private static final int SEND_BUFFER_BYTES = 4 << 20;

    private final NetconSender sender;
    private final List<InetSocketAddress> targets;
    final DatagramTransport transport;
    private final Fragmenter fragmenter = new Fragmenter();
    private final FrameEncoder reportEncoder = new FrameEncoder();
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(Wire.MAX_PAYLOAD);
    private final UnsafeBuffer datagramView = new UnsafeBuffer(datagram);
    private final long[] range = new long[3];
    private final int facility;
    private final boolean passThrough;
    final NetconSender.DropLog wouldBlock = new NetconSender.DropLog();
    final NetconSender.DropLog sendFailed = new NetconSender.DropLog();
    final NetconSender.DropLog unackedEvicted = new NetconSender.DropLog();
    /** Null unless the sender is in reliable mode. */
    final ReliableLink reliable;

    // Written by this thread only, read by stats().
    volatile long sentRecords;
    volatile long sentDatagrams;
    volatile long sentBytes;
    volatile long fragmented;
    volatile long dropReports;
    private long errors;

    SenderAgent(final NetconSender sender, final NetconSender.Builder config) throws IOException {
        this.sender = sender;
        this.targets = List.copyOf(config.targets);
        this.facility = config.facility;
        this.passThrough = config.passThrough;
        final boolean v6 = targets.stream().anyMatch(t -> t.getAddress() instanceof java.net.Inet6Address);
        this.transport = config.transport == NetconSender.Transport.NIO
            || (config.transport == NetconSender.Transport.AUTO && !EpollDatagramTransport.isAvailable())
            ? new NioDatagramTransport(v6, config.sourcePort, SEND_BUFFER_BYTES)
            : new EpollDatagramTransport(v6, config.sourcePort, SEND_BUFFER_BYTES, targets.size() == 1 ? targets.get(0) : null);
        this.reliable = config.reliable ? new ReliableLink(config.reliableHistory, config.maxRecordBytes, targets.get(0),
            config.reliableEmergencyAfter.toNanos(), unackedEvicted) : null;
    }

    @Override
    public int doWork() {
        int work = sender.ring().read(this, BATCH);
        work += sendDropReports();
        if (reliable != null) {
            try {
                work += reliable.poll(transport, System.nanoTime(), this);
            } catch (final IOException e) {
                onError(e); // a failed read of acks: resends wait for the next one
            }
        }
        transport.flush(); // one batch per duty cycle: sendmmsg with the epoll transport
        return work;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        if (passThrough && (wouldBlock.hasUnreported() || sendFailed.hasUnreported())) {
            sendDirectReports(); // ahead of the records that follow the drops, as their seqs come before
        }
        final int frameLength = buffer.getInt(index);
        final int frameOffset = index + NetconSender.LENGTH_FIELD;
        if (sendRecord(buffer, frameOffset, frameLength)) {
            sentRecords++;
            if (frameLength > Wire.MAX_PAYLOAD) {
                fragmented++;
            }
            if (reliable != null) {
                reliable.onSent(fragmenter.seq(), buffer, frameOffset, frameLength, System.nanoTime());
            }
        } else {
            lastFailure.drop(fragmenter.seq()); // begin() decoded the frame: the seq is known
        }
    }

    /** Sends one encoded record, cut into kernel-style fragments if it is longer than one datagram. */
    @Override
    public boolean sendRecord(final org.agrona.DirectBuffer frame, final int offset, final int length) {
        if (fragmenter.begin(frame, offset, length) != dev.netcon.protocol.FrameError.NONE) {
            lastFailure = sendFailed;
            return false; // cannot happen: write() encoded it
        }
        int n;
        boolean ok = true;
        while ((n = fragmenter.next(datagramView, 0)) > 0) {
            ok &= send(datagram, n);
        }
        return ok;
    }

    private NetconSender.DropLog lastFailure;

    /** Sends one datagram to every target; false (and {@link #lastFailure} set) if any send failed. */
    private boolean send(final ByteBuffer bytes, final int length) {
        boolean ok = true;
        for (int i = 0; i < targets.size(); i++) {
            bytes.clear().limit(length);
            final int result = transport.send(bytes, targets.get(i));
            if (result == DatagramTransport.SENT) {
                sentDatagrams++;
                sentBytes += length;
            } else {
                lastFailure = result == DatagramTransport.WOULD_BLOCK ? wouldBlock : sendFailed;
                ok = false;
            }
        }
        return ok;
    }

    boolean hasPendingReport() {
        return sender.ringFullDrops.hasUnreported() || wouldBlock.hasUnreported() || sendFailed.hasUnreported()
            || unackedEvicted.hasUnreported();
    }

    /**
     * One warning record per cause with unreported drops. It goes through the ring like any record, so that it
     * keeps its place in seq order; if the ring is full it is tried again on the next duty cycle. In pass-through
     * mode a report takes the seq of the first record it reports (there is no seq of its own to take), and the
     * reports of drops at the socket are sent at once instead: through the ring they would come after every
     * record already queued, far from that seq.
     */
    private int sendDropReports() {
        int work = 0;
        work += report(sender.ringFullDrops, DropCause.RING_FULL);
        if (passThrough) {
            work += sendDirectReports();
        } else {
            work += report(wouldBlock, DropCause.SEND_WOULD_BLOCK);
            work += report(sendFailed, DropCause.SEND_FAILED);
        }
        work += report(unackedEvicted, DropCause.UNACKED_EVICTED);
        return work;
    }

    private int sendDirectReports() {
        return reportDirect(wouldBlock, DropCause.SEND_WOULD_BLOCK) + reportDirect(sendFailed, DropCause.SEND_FAILED);
    }

    /** Pass-through: sends a report straight to the socket; a report that cannot go out yet is kept for later. */
    private int reportDirect(final NetconSender.DropLog log, final DropCause cause) {
        if (!log.hasUnreported() || !log.take(range)) {
            return 0;
        }
        final int n = encodeReport(reportEncoder, datagramView, 0, facility, range[1], sender.lastTsUsec(),
            sender.hostName(), range[0], range[1], range[2], cause);
        if (n < 0) {
            return 0; // a host name too long for one datagram: no report can be sent
        }
        if (send(datagram, n)) {
            dropReports++;
            return 1;
        }
        log.restore(range[0], range[1], range[2]);
        return 0;
    }

    private int report(final NetconSender.DropLog log, final DropCause cause) {
        if (!log.hasUnreported()) {
            return 0;
        }
        final org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer ring = sender.ring();
        final int index = ring.tryClaim(NetconSender.MSG_FRAME, NetconSender.LENGTH_FIELD + Wire.MAX_PAYLOAD);
        if (index <= 0) {
            return 0;
        }
        if (!log.take(range)) {
            ring.abort(index);
            return 0;
        }
        final long seq = passThrough ? range[1] : sender.claimSeq();
        final long ts = passThrough ? sender.lastTsUsec() : sender.nowUsec();
        final MutableDirectBuffer slot = ring.buffer();
        final int n = encodeReport(reportEncoder, slot, index + NetconSender.LENGTH_FIELD, facility, seq, ts,
            sender.hostName(), range[0], range[1], range[2], cause);
        if (n < 0) {
            ring.abort(index); // a host name too long for one datagram: no report can be sent
            return 0;
        }
        slot.putInt(index, n);
        ring.commit(index);
        dropReports++;
        return 1;
    }

    /**
     * Encodes a drop report: a warning {@code netcon: dropped N records (seq F..L): cause} with the
     * {@code NETCON_DROPPED*} fields, at most {@link Wire#MAX_PAYLOAD} bytes; returns its length or
     * {@link FrameEncoder#NO_ROOM}.
     */
    static int encodeReport(final FrameEncoder encoder, final MutableDirectBuffer dst, final int offset, final int facility,
                            final long seq, final long tsUsec, final String hostName, final long count, final long first,
                            final long last, final DropCause cause) {
        encoder.wrap(dst, offset, Wire.MAX_PAYLOAD)
            .header((String) null, Wire.prefix(facility, NetconSender.LEVEL_WARNING), seq, tsUsec, Wire.FLAG_NONE)
            .text("netcon: dropped ").textUnsigned(count).text(" records (seq ")
            .textUnsigned(first).text("..").textUnsigned(last).text("): ")
            .text(cause.wireName());
        if (hostName != null) {
            encoder.dict("host", hostName);
        }
        return encoder.dict("NETCON_DROPPED", count).dict("NETCON_DROPPED_FIRST", first)
            .dict("NETCON_DROPPED_LAST", last).dict("NETCON_DROP_CAUSE", cause.wireName()).finish();
    }

    void onError(final Throwable t) {
        if (++errors <= 10) {
            System.err.println("netcon sender: agent error: " + t);
        }
    }

    @Override
    public void onClose() {
        sendDropReports();
        sender.ring().read(this, Integer.MAX_VALUE);
        transport.flush();
    }

    @Override
    public String roleName() {
        return "netcon-sender";
    }
}

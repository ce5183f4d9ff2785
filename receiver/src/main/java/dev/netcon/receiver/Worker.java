package dev.netcon.receiver;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.RecordListener;
import dev.netcon.protocol.SequencerConfig;
import dev.netcon.protocol.SourceSequencer;
import dev.netcon.protocol.Text;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Owns a share of the sources (chosen by hashing the source address) so that their state needs no locks.
 * Its duty cycle: read the time once, drain a bounded batch of datagrams from its hand-off ring, run the
 * sources whose timers are due, evict idle sources. Each datagram goes through the source's
 * {@link SourceSequencer}; what it releases is formatted and handed to the {@link RecordSink}.
 *
 * <p>The hand-off ring is filled by the I/O threads ({@link #offer}); a full ring drops the datagram and
 * counts it as {@code queueFull}: the I/O thread never waits.
 */
final class Worker implements Agent, MessageHandler, RecordListener {
    static final int MSG_DATAGRAM = 1;
    private static final int BATCH = 256;
    private static final long TIMER_SCAN_NS = 10_000_000L;
    private static final long IDLE_SCAN_NS = 1_000_000_000L;

    /** How the worker answers a source in reliable mode. */
    interface AckSender {
        /** Sends from listen socket {@code socket} (the one the source's datagrams came in on) to {@code to}. */
        void send(int socket, InetSocketAddress to, DirectBuffer buffer, int length);
    }

    private final int id;
    private final ReceiverConfig config;
    private final SequencerConfig sequencerConfig;
    private final ManyToOneRingBuffer ring;
    private final RecordSink sink;
    private final ReceiverStats stats;
    private final StreamHub hub;
    private final AckSender acks;
    private final FrameDecoder decoder;
    private final Record scratch = new Record();
    private final LineFormatter line = new LineFormatter();
    private final Long2ObjectHashMap<Source> v4Sources = new Long2ObjectHashMap<>();
    private final Map<String, Source> v6Sources = new HashMap<>();
    private final List<Source> timed = new ArrayList<>();
    private final List<Source> pendingAcks = new ArrayList<>();
    private final UnsafeBuffer ack = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final byte[] v6 = new byte[16];
    private Source newest;
    private Source oldest;
    private int sourceCount;
    private long nowNs;
    private long nowMs;
    private long nextTimerScanNs;
    private long nextIdleScanNs;
    private Source current;

    Worker(final int id, final ReceiverConfig config, final RecordSink sink, final ReceiverStats stats, final StreamHub hub,
           final AckSender acks) {
        this.id = id;
        this.config = config;
        this.sequencerConfig = config.sequencerConfig();
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(config.queueBytesPerWorker() + RingBufferDescriptor.TRAILER_LENGTH)));
        this.sink = sink;
        this.stats = stats;
        this.hub = hub;
        this.acks = acks;
        this.decoder = new FrameDecoder(sequencerConfig.maxFrameLength(), sequencerConfig.maxRecordLength());
    }

    /**
     * Called by an I/O thread: copies one datagram and its source into the ring. Never blocks.
     *
     * @return false when the ring is full (counted as queueFull).
     */
    boolean offer(final int socket, final InetSocketAddress sender, final DirectBuffer payload, final int offset,
                  final int length) {
        final InetAddress address = sender.getAddress();
        if (address instanceof java.net.Inet4Address) {
            final int index = claim(4, length);
            if (index <= 0) {
                return false;
            }
            ring.buffer().putInt(index + 1, address.hashCode(), java.nio.ByteOrder.BIG_ENDIAN); // Inet4Address.hashCode() is the address
            return commit(index, 4, sender.getPort(), socket, payload, offset, length);
        }
        final byte[] bytes = address.getAddress();
        return offer(socket, bytes, bytes.length, sender.getPort(), payload, offset, length);
    }

    /** As {@link #offer(int, InetSocketAddress, DirectBuffer, int, int)}, the sender given as 4 or 16 address bytes. */
    boolean offer(final int socket, final byte[] address, final int addressLength, final int port, final DirectBuffer payload,
                  final int offset, final int length) {
        if (addressLength != 4 && addressLength != 16) {
            return false; // not an IP sender: nothing a UDP socket of ours hands over
        }
        final int index = claim(addressLength, length);
        if (index <= 0) {
            return false;
        }
        ring.buffer().putBytes(index + 1, address, 0, addressLength);
        return commit(index, addressLength, port, socket, payload, offset, length);
    }

    /**
     * Claims room for one datagram message: address length (1 byte), address (4 or 16), port (2), the index of
     * the listen socket it came in on (1), payload. Counts a full queue.
     */
    private int claim(final int addressLength, final int length) {
        final int index = ring.tryClaim(MSG_DATAGRAM, messageHeaderLength(addressLength) + length);
        if (index <= 0) {
            stats.queueFull.incrementAndGet();
        }
        return index;
    }

    private static int messageHeaderLength(final int addressLength) {
        return 1 + addressLength + 2 + 1;
    }

    private boolean commit(final int index, final int addressLength, final int port, final int socket,
                           final DirectBuffer payload, final int offset, final int length) {
        final MutableDirectBuffer b = ring.buffer();
        b.putByte(index, (byte) addressLength);
        b.putShort(index + 1 + addressLength, (short) port, java.nio.ByteOrder.BIG_ENDIAN);
        b.putByte(index + 1 + addressLength + 2, (byte) socket);
        b.putBytes(index + messageHeaderLength(addressLength), payload, offset, length);
        ring.commit(index);
        return true;
    }

    @Override
    public int doWork() {
        nowNs = System.nanoTime();
        nowMs = System.currentTimeMillis();
        int work = ring.read(this, BATCH);
        if (nowNs - nextTimerScanNs >= 0) {
            nextTimerScanNs = nowNs + TIMER_SCAN_NS;
            work += runTimers();
            work += sendPendingAcks();
        }
        if (nowNs - nextIdleScanNs >= 0) {
            nextIdleScanNs = nowNs + IDLE_SCAN_NS;
            work += evictIdle();
        }
        return work;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        Source source = lookup(buffer, index);
        if (source == null) {
            return;
        }
        final int addressLength = buffer.getByte(index);
        final int header = messageHeaderLength(addressLength);
        final int payloadLength = length - header;
        if (source.wireHost != null && HostField.differs(buffer, index + header, payloadLength, source.wireHost)) {
            // Another sender on this address and port (a NAT, a restarted container, a reused port): the old
            // stream is closed as an evicted source would be, and this datagram starts a new one, so that its
            // seqs are not taken for the old stream's duplicates.
            evict(source);
            source = lookup(buffer, index);
            if (source == null) {
                return;
            }
        }
        source.socket = buffer.getByte(index + header - 1) & 0xff; // answers leave from the socket it wrote to
        source.lastSeenNs = nowNs;
        source.stats.lastSeenEpochMs = nowMs;
        touch(source);
        if (source.recordBucket != null && (!source.recordBucket.tryTake(1, nowNs)
            || (source.byteBucket != null && !source.byteBucket.tryTake(payloadLength, nowNs)))) {
            source.stats.rateLimited++;
            return;
        }
        source.stats.bytes += payloadLength;
        current = source;
        source.sequencer.onDatagram(buffer, index + header, payloadLength, nowNs, this);
        afterSequencer(source);
        if (config.reliable()) {
            answer(source);
        }
    }

    /** Sends the source an ncrx acknowledgement if one is due, or notes it for later if the interval held it back. */
    private void answer(final Source s) {
        final int n = s.sequencer.ncrxResponse(nowNs, ack, 0);
        if (n > 0) {
            acks.send(s.socket, s.address, ack, n);
        } else if (!s.ackPending && s.sequencer.tracker().ackRateLimited(nowNs)) {
            s.ackPending = true;
            pendingAcks.add(s);
        }
    }

    /** Held-back acknowledgements whose interval has passed. */
    private int sendPendingAcks() {
        int work = 0;
        for (int i = pendingAcks.size() - 1; i >= 0; i--) {
            final Source s = pendingAcks.get(i);
            if (!s.sequencer.tracker().ackRateLimited(nowNs)) {
                pendingAcks.set(i, pendingAcks.get(pendingAcks.size() - 1));
                pendingAcks.remove(pendingAcks.size() - 1);
                s.ackPending = false;
                answer(s);
                work++;
            }
        }
        return work;
    }

    private void afterSequencer(final Source s) {
        final SourceStats st = s.stats;
        st.delivered = s.sequencer.tracker().delivered();
        st.duplicates = s.sequencer.tracker().duplicates() + s.sequencer.duplicateFragments();
        st.missing = s.sequencer.tracker().missing();
        st.seqResets = s.sequencer.tracker().seqResets();
        st.fragmentsExpired = s.sequencer.fragmentsExpired();
        st.plain = s.sequencer.plainFrames();
        if (!s.timed && s.sequencer.nextDeadlineNs() != Long.MAX_VALUE) {
            s.timed = true;
            timed.add(s);
        }
    }

    private int runTimers() {
        int work = 0;
        for (int i = timed.size() - 1; i >= 0; i--) {
            final Source s = timed.get(i);
            final long deadline = s.sequencer.nextDeadlineNs();
            if (deadline != Long.MAX_VALUE && deadline - nowNs <= 0) {
                current = s;
                s.sequencer.poll(nowNs, this);
                afterSequencer(s);
                work++;
            }
            if (s.sequencer.nextDeadlineNs() == Long.MAX_VALUE) {
                s.timed = false;
                timed.set(i, timed.get(timed.size() - 1));
                timed.remove(timed.size() - 1);
            }
        }
        return work;
    }

    private int evictIdle() {
        int n = 0;
        while (oldest != null && nowNs - oldest.lastSeenNs > config.idleTimeoutNs()) {
            evict(oldest);
            n++;
        }
        return n;
    }

    private Source lookup(final DirectBuffer buffer, final int index) {
        final int addressLength = buffer.getByte(index);
        if (addressLength == 4) {
            final long ip = buffer.getInt(index + 1, java.nio.ByteOrder.BIG_ENDIAN) & 0xffffffffL;
            final int port = buffer.getShort(index + 5, java.nio.ByteOrder.BIG_ENDIAN) & 0xffff;
            final long key = ip << 16 | port;
            Source s = v4Sources.get(key);
            if (s == null) {
                s = create(key, null, ip, port);
                v4Sources.put(key, s);
            }
            return s;
        }
        buffer.getBytes(index + 1, v6);
        final int port = buffer.getShort(index + 17, java.nio.ByteOrder.BIG_ENDIAN) & 0xffff;
        final String key = java.util.HexFormat.of().formatHex(v6) + "/" + port; // IPv6: a rarer, allocating path
        Source s = v6Sources.get(key);
        if (s == null) {
            s = create(-1, key, -1, port);
            v6Sources.put(key, s);
        }
        return s;
    }

    private Source create(final long key, final String v6Key, final long ip, final int port) {
        if (sourceCount >= config.maxSourcesPerWorker() && oldest != null) {
            evict(oldest);
        }
        final InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByAddress(ip >= 0 ? new byte[] {
                (byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip} : v6.clone()), port);
        } catch (final UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
        final Source s = new Source(key, address, HostPort.format(address), new SourceSequencer(sequencerConfig, decoder, scratch));
        if (config.rateLimitRecords() > 0) {
            s.recordBucket = new TokenBucket(config.rateLimitRecords(), nowNs);
        }
        if (config.rateLimitBytes() > 0) {
            s.byteBucket = new TokenBucket(config.rateLimitBytes(), nowNs);
        }
        s.lastSeenNs = nowNs;
        stats.register(s.stats);
        sourceCount++;
        linkNewest(s);
        return s;
    }

    /** Closes a source: what it holds is released (holes as missing), its counters go to the totals. */
    private void evict(final Source s) {
        current = s;
        s.sequencer.close(this);
        afterSequencer(s);
        unlink(s);
        if (s.key >= 0) {
            v4Sources.remove(s.key);
        } else {
            v6Sources.values().remove(s);
        }
        if (s.timed) {
            timed.remove(s);
            s.timed = false;
        }
        if (s.ackPending) {
            pendingAcks.remove(s);
            s.ackPending = false;
        }
        sourceCount--;
        stats.retire(s.stats);
    }

    private void touch(final Source s) {
        if (newest != s) {
            unlink(s);
            linkNewest(s);
        }
    }

    private void linkNewest(final Source s) {
        s.older = newest;
        s.newer = null;
        if (newest != null) {
            newest.newer = s;
        }
        newest = s;
        if (oldest == null) {
            oldest = s;
        }
    }

    private void unlink(final Source s) {
        if (s.newer != null) {
            s.newer.older = s.older;
        } else if (newest == s) {
            newest = s.older;
        }
        if (s.older != null) {
            s.older.newer = s.newer;
        } else if (oldest == s) {
            oldest = s.newer;
        }
        s.newer = null;
        s.older = null;
    }

    // RecordListener: what the current source's sequencer releases.

    @Override
    public void onRecord(final Record record) {
        final Source s = current;
        s.stats.lastSeq = record.seq();
        if (!s.named) {
            final int i = record.dictIndexOf("host");
            if (i >= 0) {
                s.named = true;
                s.host = SourceNames.sanitise(record.dictValue(i));
                s.stats.host = s.host;
                final byte[] wire = new byte[record.dictValueLength(i)];
                record.buffer().getBytes(record.dictValueOffset(i), wire);
                s.wireHost = new UnsafeBuffer(wire);
            }
        }
        final long droppedFirst = record.dictLong("NETCON_DROPPED_FIRST", -1);
        if (droppedFirst >= 0) {
            final long droppedLast = record.dictLong("NETCON_DROPPED_LAST", droppedFirst);
            s.onDropReport(droppedFirst, droppedLast);
        }
        store(line.record(nowMs, s.host, s.stats.source, record));
        if (!hub.isEmpty()) {
            publishRecord(s, record);
        }
    }

    @Override
    public void onMissing(final long firstSeq, final long lastSeq) {
        final Source s = current;
        s.onMissing(firstSeq, lastSeq);
        store(line.missing(nowMs, s.host, s.stats.source, firstSeq, lastSeq));
        if (!hub.isEmpty()) {
            publishEvent(s, "missing", "{\"first\":" + Long.toUnsignedString(firstSeq) + ",\"last\":"
                + Long.toUnsignedString(lastSeq) + ",\"count\":" + (lastSeq - firstSeq + 1) + ",\"seq\":null",
                "MISSING " + (lastSeq - firstSeq + 1) + " records seq " + Long.toUnsignedString(firstSeq) + ".."
                    + Long.toUnsignedString(lastSeq));
        }
    }

    @Override
    public void onSeqReset(final long lastSeq, final long newSeq) {
        final Source s = current;
        store(line.reset(nowMs, s.host, s.stats.source, lastSeq, newSeq));
        if (!hub.isEmpty()) {
            publishEvent(s, "reset", "{\"seq\":" + Long.toUnsignedString(newSeq),
                "SEQ RESET after " + Long.toUnsignedString(lastSeq) + ", now " + Long.toUnsignedString(newSeq));
        }
    }

    @Override
    public void onPlain(final DirectBuffer buffer, final int offset, final int length) {
        final Source s = current;
        int start = offset;
        final int end = offset + length;
        for (int i = offset; i <= end; i++) {
            if (i == end || buffer.getByte(i) == '\n') {
                if (i > start || (i < end)) {
                    store(line.plain(nowMs, s.host, s.stats.source, buffer, start, i - start));
                    if (!hub.isEmpty()) {
                        publishEvent(s, "plain", "{\"seq\":null", bytesAsText(buffer, start, i - start));
                    }
                }
                start = i + 1;
            }
        }
    }

    @Override
    public void onRejected(final FrameError error) {
        current.stats.malformedByReason[error.ordinal()]++;
    }

    private void store(final LineFormatter f) {
        if (!sink.append(current.host, f.line, 0, f.length())) {
            current.stats.storeFailures++;
        }
    }

    private static String bytesAsText(final DirectBuffer b, final int offset, final int length) {
        final byte[] bytes = new byte[length];
        b.getBytes(offset, bytes);
        return Text.utf8(bytes, 0, length);
    }

    private void publishRecord(final Source s, final Record r) {
        final StringBuilder sb = new StringBuilder(256);
        sb.append("{\"receivedAt\":");
        JsonText.string(sb, java.time.Instant.ofEpochMilli(nowMs).toString());
        sb.append(",\"kind\":\"rec\",\"host\":");
        JsonText.string(sb, s.host).append(",\"source\":");
        JsonText.string(sb, s.stats.source).append(",\"seq\":").append(Long.toUnsignedString(r.seq()))
            .append(",\"facility\":").append(r.facility()).append(",\"level\":").append(r.level())
            .append(",\"tsUsec\":").append(r.tsUsec()).append(",\"cont\":").append(r.isCont()).append(",\"release\":");
        JsonText.string(sb, r.release()).append(",\"text\":");
        JsonText.string(sb, r.text()).append(",\"dict\":{");
        for (int i = 0; i < r.dictCount(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            JsonText.string(sb, r.dictKey(i)).append(':');
            JsonText.string(sb, r.dictValue(i));
        }
        sb.append("}}");
        final String json = sb.toString();
        for (final StreamHub.Subscriber sub : hub.subscribers()) {
            if (sub.wants("rec", s.host, r.level())) {
                sub.sink().accept(json);
            }
        }
    }

    private void publishEvent(final Source s, final String kind, final String opening, final String text) {
        final StringBuilder sb = new StringBuilder(opening.length() + text.length() + 160);
        sb.append(opening).append(",\"receivedAt\":");
        JsonText.string(sb, java.time.Instant.ofEpochMilli(nowMs).toString());
        sb.append(",\"kind\":\"").append(kind).append("\",\"host\":");
        JsonText.string(sb, s.host).append(",\"source\":");
        JsonText.string(sb, s.stats.source)
            .append(",\"facility\":null,\"level\":null,\"tsUsec\":null,\"cont\":false,\"release\":null,\"text\":");
        JsonText.string(sb, text).append(",\"dict\":{}}");
        final String json = sb.toString();
        for (final StreamHub.Subscriber sub : hub.subscribers()) {
            if (sub.wants(kind, s.host, -1)) {
                sub.sink().accept(json);
            }
        }
    }

    /** Drains what is queued and closes every source (shutdown). */
    void drainAndClose() {
        nowNs = System.nanoTime();
        nowMs = System.currentTimeMillis();
        while (ring.read(this, Integer.MAX_VALUE) > 0) {
            nowNs = System.nanoTime();
        }
        while (oldest != null) {
            final Source s = oldest;
            current = s;
            s.sequencer.close(this);
            afterSequencer(s);
            unlink(s);
        }
    }

    @Override
    public String roleName() {
        return "netcon-worker-" + id;
    }
}

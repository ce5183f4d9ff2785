package dev.netcon.sender;

import dev.netcon.protocol.Escaping;
import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.Wire;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends log records as netconsole extended frames over UDP, without ever making the caller wait or allocate.
 *
 * <pre>
 * NetconSender sender = NetconSender.builder().target("logs.example:6666").hostName("web-1").build();
 * sender.write(NetconSender.LEVEL_WARNING, "disk 91% full");
 * </pre>
 *
 * {@link #write} claims space in a preallocated off-heap ring (Agrona {@link ManyToOneRingBuffer}), encodes
 * the record straight into it and commits: no lock, no allocation, no system call, from any number of threads.
 * One agent thread drains the ring, splits records over 1000 bytes into kernel-style fragments, and sends
 * with a non-blocking socket. When the ring is full, or a send would block or fails, the record is dropped and
 * counted, and the agent then sends an ordinary warning record saying which seqs were dropped and why
 * ({@code NETCON_DROPPED*} fields, docs/protocol.md), so that the receiver can tell drops at the source from
 * losses in transit.
 *
 * <h2>Pass-through mode</h2>
 * A sender built with {@link Builder#passThrough(boolean) passThrough(true)} relays records that already are
 * extended frames with their own seq, prefix and timestamp, such as /dev/kmsg records: {@link #writeFrame} and
 * {@link #offerFrame} validate a frame ({@link FrameDecoder} and {@link Record#parseBody()}), and queue it
 * verbatim, adding {@code host=} to its dictionary when the sender has a host name and the record has none (and
 * the builder's release when it has none). {@code write()} is refused then: its seqs would collide with the
 * records'. Since every seq belongs to the source, a drop report cannot take a fresh one: it takes the seq of the
 * first record it reports dropped (which the receiver never got) and says {@code NETCON_DROPPED_FIRST..LAST}, so
 * the receiver sees the report in that record's place, the rest of the range as missing, and counts it all as
 * dropped at the source (the report itself is delivered, so a report of n drops shows n - 1 missing). Reports of
 * drops at the socket are then sent by the agent straight away, ahead of later records, instead of queueing
 * behind them in the ring. A caller that loses records before they reach the sender (/dev/kmsg overwrote them)
 * says so with {@link #offerDropReport}.
 */
public final class NetconSender implements AutoCloseable {
    public static final int LEVEL_EMERG = 0;
    public static final int LEVEL_ALERT = 1;
    public static final int LEVEL_CRIT = 2;
    public static final int LEVEL_ERR = 3;
    public static final int LEVEL_WARNING = 4;
    public static final int LEVEL_NOTICE = 5;
    public static final int LEVEL_INFO = 6;
    public static final int LEVEL_DEBUG = 7;

    /** The kernel's own limit for one extended record (CONSOLE_EXT_LOG_MAX). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 8192;
    /**
     * What the logging adapters default to: an escaped stack trace (each newline and tab costs 4 bytes) easily
     * passes 8 KiB, and netcon's receiver reassembles records up to 64 KiB.
     */
    public static final int LOGGING_MAX_RECORD_BYTES = 32 * 1024;

    static final int MSG_FRAME = 1;
    /** Slot layout: the frame's length, then the frame. */
    static final int LENGTH_FIELD = 4;

    private final Builder config;
    private final ManyToOneRingBuffer ring;
    private final AtomicLong nextSeq;
    private final long baseUsec;
    private final long baseNanos;
    private final String hostName;
    private final int headerBound;
    /** Bytes of the dictionary lines every record carries: host= and the builder's userdata fields. */
    private final int fixedDictLength;
    /** The builder's userdata fields, key and value alternating. */
    private final String[] userdata;
    private final SenderAgent agent;
    private final boolean passThrough;
    /** Pass-through: {@code " host=<escaped name>"}, or null without a host name. */
    private final UnsafeBuffer hostDict;
    /** Pass-through: the release to prepend, or null. */
    private final UnsafeBuffer releaseBytes;
    private AgentRunner runner;
    private EventLoopAgentRunner loopRunner;
    private volatile boolean closed;

    // Counters written by application threads.
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong sourceDropReports = new AtomicLong();
    /** Pass-through: timestamp of the last record queued, for the drop reports (kernel time, not ours). */
    private final AtomicLong lastTsUsec = new AtomicLong();
    final DropLog ringFullDrops = new DropLog();

    private NetconSender(final Builder b) {
        this.config = b;
        checkAgronaAccess();
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(b.ringCapacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.nextSeq = new AtomicLong(b.firstSeq);
        this.baseUsec = ManagementFactory.getRuntimeMXBean().getUptime() * 1000;
        this.baseNanos = System.nanoTime();
        this.hostName = b.hostName;
        this.userdata = b.userdata.toArray(new String[0]);
        int fixed = hostName == null ? 0 : 2 + "host=".length() + FrameEncoder.escapedLength(hostName);
        for (int i = 0; i < userdata.length; i += 2) {
            fixed += 3 + userdata[i].length() + FrameEncoder.escapedLength(userdata[i + 1]);
        }
        this.fixedDictLength = fixed;
        if (FrameEncoder.MAX_HEADER_FIELDS_LENGTH + fixed + 64 > b.maxRecordBytes) {
            throw new IllegalArgumentException("host name and userdata take " + fixed + " bytes of every record: more than "
                + "maxRecordBytes=" + b.maxRecordBytes + " leaves room for text");
        }
        this.headerBound = FrameEncoder.MAX_HEADER_FIELDS_LENGTH + (b.release == null ? 0 : b.release.length() + 1)
            + fixedDictLength + 1;
        this.passThrough = b.passThrough;
        this.hostDict = hostName == null ? null : hostDictBytes(hostName);
        this.releaseBytes = b.release == null || b.release.isEmpty() ? null
            : new UnsafeBuffer(b.release.getBytes(StandardCharsets.US_ASCII));
        try {
            this.agent = new SenderAgent(this, b);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open the sender's UDP socket: " + e.getMessage(), e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the agent thread (build() does this unless told not to). */
    public NetconSender start() {
        if (runner != null || loopRunner != null) {
            return this;
        }
        if (agent.transport instanceof EpollDatagramTransport epoll) {
            loopRunner = new EventLoopAgentRunner(agent, epoll.eventLoop(), config.epollIdle.toNanos(), agent::onError);
            loopRunner.start();
        } else {
            runner = new AgentRunner(config.idleStrategy, agent::onError, null, agent);
            final Thread thread = new Thread(runner, agent.roleName());
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    /**
     * Queues a record; false if it was dropped (ring full or closed). Never blocks, never allocates.
     *
     * @throws IllegalStateException in pass-through mode, where records bring their own seqs
     */
    public boolean write(final int level, final CharSequence text) {
        return write(level, text, null, null, null, null, null, 0);
    }

    /** Queues a record with one dictionary field (e.g. the logger name). */
    public boolean write(final int level, final CharSequence text, final CharSequence key, final CharSequence value) {
        return write(level, text, key, value, null, null, null, 0);
    }

    /**
     * Queues a record with dictionary fields: {@code keysAndValues[0..2*count)} alternate keys and values (ASCII
     * keys), plus up to two more fields given directly. The caller may reuse its array after the call.
     */
    public boolean write(final int level, final CharSequence text, final CharSequence key1, final CharSequence value1,
                         final CharSequence key2, final CharSequence value2, final CharSequence[] keysAndValues,
                         final int count) {
        requireMode(false);
        if (closed || surelyFull(Math.min(text.length(), config.maxRecordBytes - headerBound))) {
            ringFullDrops.drop(nextSeq.getAndIncrement()); // early out: a full ring must not cost a scan of the text
            return false;
        }
        int textLength = FrameEncoder.escapedLength(text);
        int dictLength = 0;
        if (key1 != null) {
            dictLength += 3 + key1.length() + FrameEncoder.escapedLength(value1);
        }
        if (key2 != null) {
            dictLength += 3 + key2.length() + FrameEncoder.escapedLength(value2);
        }
        for (int i = 0; i < count; i++) {
            dictLength += 3 + keysAndValues[2 * i].length() + FrameEncoder.escapedLength(keysAndValues[2 * i + 1]);
        }
        final int truncateMark = "\n NETCON_TRUNCATED=".length() + 20;
        int length = headerBound + textLength + dictLength;
        final boolean truncate = length > config.maxRecordBytes;
        if (truncate) {
            textLength = Math.max(0, config.maxRecordBytes - headerBound - dictLength - truncateMark);
            length = headerBound + textLength + dictLength + truncateMark;
        }
        if (closed) {
            ringFullDrops.drop(nextSeq.getAndIncrement());
            return false;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + length);
        if (index <= 0) {
            ringFullDrops.drop(nextSeq.getAndIncrement());
            return false;
        }
        // The seq is taken right after the claim, not before the text is measured: a writer preempted between
        // taking a seq and claiming would send it late, after the receiver's window (docs/sender.md, Limits).
        final long seq = nextSeq.getAndIncrement();
        final UnsafeBuffer slot = (UnsafeBuffer) ring.buffer();
        final FrameEncoder encoder = ENCODERS.get();
        encoder.wrap(slot, index + LENGTH_FIELD, length)
            .header(config.release, Wire.prefix(config.facility, level & 7), seq, nowUsec(), Wire.FLAG_NONE);
        if (truncate) {
            encoder.textTruncating(text, fixedDictLength + dictLength + truncateMark + 1);
            truncated.incrementAndGet();
        } else {
            encoder.text(text);
        }
        appendFixedDict(encoder);
        if (key1 != null) {
            encoder.dict(key1, value1);
        }
        if (key2 != null) {
            encoder.dict(key2, value2);
        }
        for (int i = 0; i < count; i++) {
            encoder.dict(keysAndValues[2 * i], keysAndValues[2 * i + 1]);
        }
        if (truncate) {
            encoder.dict("NETCON_TRUNCATED", text.length());
        }
        final int frameLength = encoder.finish();
        if (frameLength < 0) {
            ring.abort(index); // cannot happen with the bound above; never send a broken frame
            ringFullDrops.drop(seq);
            return false;
        }
        slot.putInt(index, frameLength);
        ring.commit(index);
        written.incrementAndGet();
        return true;
    }

    /** Queues raw text bytes (escaped on the way). */
    public boolean write(final int level, final DirectBuffer text, final int offset, final int length) {
        requireMode(false);
        int textLength = length * 4; // worst case once escaped
        final boolean truncate = headerBound + textLength > config.maxRecordBytes;
        final int frameBound = truncate ? config.maxRecordBytes : headerBound + textLength;
        if (closed) {
            ringFullDrops.drop(nextSeq.getAndIncrement());
            return false;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + frameBound);
        if (index <= 0) {
            ringFullDrops.drop(nextSeq.getAndIncrement());
            return false;
        }
        // The seq is taken right after the claim, not before the text is measured: a writer preempted between
        // taking a seq and claiming would send it late, after the receiver's window (docs/sender.md, Limits).
        final long seq = nextSeq.getAndIncrement();
        final UnsafeBuffer slot = (UnsafeBuffer) ring.buffer();
        final FrameEncoder encoder = ENCODERS.get();
        encoder.wrap(slot, index + LENGTH_FIELD, frameBound)
            .header(config.release, Wire.prefix(config.facility, level & 7), seq, nowUsec(), Wire.FLAG_NONE)
            .textTruncating(text, offset, length, fixedDictLength + 1);
        if (encoder.isTruncated()) {
            truncated.incrementAndGet();
        }
        appendFixedDict(encoder);
        final int frameLength = encoder.finish();
        if (frameLength < 0) {
            ring.abort(index);
            ringFullDrops.drop(seq);
            return false;
        }
        slot.putInt(index, frameLength);
        ring.commit(index);
        written.incrementAndGet();
        return true;
    }

    /**
     * Pass-through: queues {@code frame[offset, offset + length)}, an unfragmented extended frame that carries
     * its own seq, prefix, timestamp and flag (a /dev/kmsg record is one), verbatim except for the {@code host=}
     * (and release) the sender adds. When the ring is full (or the sender closed) the record is dropped, counted
     * and reported in-band with its seq, as write() does. Never blocks, never allocates.
     */
    public FrameStatus writeFrame(final DirectBuffer frame, final int offset, final int length) {
        return queueFrame(frame, offset, length, true);
    }

    /**
     * Pass-through: as {@link #writeFrame}, except that a full ring is not a drop: it returns
     * {@link FrameStatus#FULL} having counted nothing, and the caller, who still holds the record, may wait and
     * offer it again (a relay that can wait for the network should). A caller that then gives the record up
     * should say so with {@link #offerDropReport}.
     */
    public FrameStatus offerFrame(final DirectBuffer frame, final int offset, final int length) {
        return queueFrame(frame, offset, length, false);
    }

    private FrameStatus queueFrame(final DirectBuffer frame, final int offset, final int length, final boolean dropWhenFull) {
        requireMode(true);
        final PassThrough p = PASS_THROUGH.get();
        final FrameDecoder d = p.decoder;
        if (d.decode(frame, offset, length) != FrameError.NONE || !d.isExtended() || d.isFragment()
            || p.record.wrap(d, frame, d.bodyOffset(), d.bodyLength()).parseBody() != FrameError.NONE) {
            rejected.incrementAndGet();
            return FrameStatus.INVALID;
        }
        final long seq = d.seq();
        final int releaseLength = releaseBytes != null && d.releaseLength() == 0 ? releaseBytes.capacity() + 1 : 0;
        final boolean addHost = hostDict != null && p.record.dictIndexOf("host") < 0;
        final int frameLength = length + releaseLength + (addHost ? hostDict.capacity() + 1 : 0);
        if (frameLength > config.maxRecordBytes) {
            rejected.incrementAndGet();
            return FrameStatus.TOO_LONG;
        }
        if (closed) {
            if (dropWhenFull) {
                ringFullDrops.drop(seq);
            }
            return FrameStatus.CLOSED;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + frameLength);
        if (index <= 0) {
            if (dropWhenFull) {
                ringFullDrops.drop(seq);
            }
            return FrameStatus.FULL;
        }
        final UnsafeBuffer slot = (UnsafeBuffer) ring.buffer();
        int at = index + LENGTH_FIELD;
        if (releaseLength > 0) {
            slot.putBytes(at, releaseBytes, 0, releaseBytes.capacity());
            at += releaseBytes.capacity();
            slot.putByte(at++, (byte) ',');
        }
        slot.putBytes(at, frame, offset, length);
        at += length;
        if (addHost) {
            // The body is "text[\n KEY=VALUE]*" with or without a final newline: host= becomes its last line.
            final boolean endsWithNewline = d.bodyLength() > 0 && frame.getByte(offset + length - 1) == '\n';
            if (!endsWithNewline) {
                slot.putByte(at++, (byte) '\n');
            }
            slot.putBytes(at, hostDict, 0, hostDict.capacity());
            at += hostDict.capacity();
            if (endsWithNewline) {
                slot.putByte(at++, (byte) '\n');
            }
        }
        slot.putInt(index, frameLength);
        ring.commit(index);
        lastTsUsec.lazySet(d.tsUsec());
        written.incrementAndGet();
        return FrameStatus.QUEUED;
    }

    /**
     * Pass-through: queues an in-band drop report for records lost before they reached the sender (e.g.
     * {@link DropCause#SOURCE_OVERRUN} when /dev/kmsg overwrote seqs {@code first..last}). Like the sender's own
     * reports it is a warning record with {@code NETCON_DROPPED*} fields, and it takes seq {@code first}: queue it
     * before the record that follows the gap, so that it arrives in order. {@code count} is how many records of
     * the range were lost, {@code tsUsec} its timestamp (that of the record after the gap). A full ring returns
     * {@link FrameStatus#FULL} and queues nothing: offer it again.
     */
    public FrameStatus offerDropReport(final long first, final long last, final long count, final long tsUsec,
                                       final DropCause cause) {
        requireMode(true);
        if (closed) {
            return FrameStatus.CLOSED;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + Wire.MAX_PAYLOAD);
        if (index <= 0) {
            return FrameStatus.FULL;
        }
        final MutableDirectBuffer slot = ring.buffer();
        final int n = SenderAgent.encodeReport(ENCODERS.get(), slot, index + LENGTH_FIELD, config.facility, first, tsUsec,
            hostName, count, first, last, cause);
        if (n < 0) {
            ring.abort(index); // a host name too long for one datagram
            rejected.incrementAndGet();
            return FrameStatus.INVALID;
        }
        slot.putInt(index, n);
        ring.commit(index);
        sourceDropReports.incrementAndGet();
        return FrameStatus.QUEUED;
    }

    private void requireMode(final boolean wantPassThrough) {
        if (passThrough != wantPassThrough) {
            throw new IllegalStateException(passThrough
                ? "this sender passes records through with their own seqs (Builder.passThrough): use writeFrame"
                : "writeFrame and offer* need a sender built with passThrough(true)");
        }
    }

    private static UnsafeBuffer hostDictBytes(final String name) {
        final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[" host=".length() + 4 * utf8.length]);
        int at = b.putStringWithoutLengthAscii(0, " host=");
        for (final byte c : utf8) {
            at += Escaping.escapeByte(c & 0xff, b, at);
        }
        return new UnsafeBuffer(b.byteArray(), 0, at);
    }

    /**
     * True when the ring cannot take a record whose text is at least {@code minTextBytes} long, judged from
     * two volatile reads before any work: the encoded record is never shorter than its header bound plus the
     * text's length in chars.
     */
    private boolean surelyFull(final int minTextBytes) {
        final long free = ring.capacity() - (ring.producerPosition() - ring.consumerPosition());
        return free < LENGTH_FIELD + headerBound + Math.max(0, minTextBytes)
            + org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH;
    }

    /** The dictionary lines every record carries: host= first, then the builder's userdata, in order. */
    private void appendFixedDict(final FrameEncoder encoder) {
        if (hostName != null) {
            encoder.dict("host", hostName);
        }
        for (int i = 0; i < userdata.length; i += 2) {
            encoder.dict(userdata[i], userdata[i + 1]);
        }
    }

    /** Encoders are flyweights with per-call state: one per writing thread, created on its first write. */
    private static final ThreadLocal<FrameEncoder> ENCODERS = ThreadLocal.withInitial(FrameEncoder::new);

    /** A pass-through writer's decoder and record flyweights, one pair per thread. */
    private static final class PassThrough {
        final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE);
        final Record record = new Record();
    }

    private static final ThreadLocal<PassThrough> PASS_THROUGH = ThreadLocal.withInitial(PassThrough::new);

    boolean passThrough() {
        return passThrough;
    }

    long lastTsUsec() {
        return lastTsUsec.get();
    }

    long nowUsec() {
        return baseUsec + (System.nanoTime() - baseNanos) / 1000;
    }

    long claimSeq() {
        return nextSeq.getAndIncrement();
    }

    SenderAgent agent() {
        return agent;
    }

    ManyToOneRingBuffer ring() {
        return ring;
    }

    String hostName() {
        return hostName;
    }

    /** Waits (bounded) until everything written so far has been handed to the socket. */
    public boolean flush(final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (ring.producerPosition() != ring.consumerPosition() || agent.hasPendingReport()) {
            if (System.nanoTime() - deadline > 0 || (runner == null && loopRunner == null)) {
                return false;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Reliable mode: waits (bounded) until the receiver has acknowledged every record sent so far, e.g. before
     * closing, so that a lost last record still gets its emergency resend. Call after {@link #flush}.
     *
     * @return true when everything sent is acknowledged (or nothing was sent); false on timeout, or when the
     *         sender is not in reliable mode
     */
    public boolean awaitAcknowledged(final Duration timeout) {
        final ReliableLink r = agent.reliable;
        if (r == null) {
            return false;
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final long sent = r.newestSentSeq;
            final long acked = r.ackedSeq;
            if (sent == -1 || (acked != -1 && Long.compareUnsigned(acked, sent) >= 0)) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    public SenderStats stats() {
        final ReliableLink r = agent.reliable;
        return new SenderStats(written.get(), ringFullDrops.count(), agent.wouldBlock.count(), agent.sendFailed.count(),
            truncated.get(), agent.sentRecords, agent.sentDatagrams, agent.fragmented, agent.sentBytes,
            agent.dropReports + sourceDropReports.get(), rejected.get(), agent.unackedEvicted.count(),
            r == null ? 0 : r.retransmitted, r == null ? 0 : r.emergencyResends, r == null ? -1 : r.ackedSeq,
            agent.transport.asyncFailures());
    }

    /** Drains what was written (bounded by the builder's close timeout), then stops the agent and closes the socket. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        flush(config.closeTimeout);
        closed = true;
        if (runner != null) {
            runner.close();
        } else if (loopRunner != null) {
            loopRunner.close(config.closeTimeout);
        } else {
            agent.onClose();
        }
        agent.transport.close();
    }

    private static void checkAgronaAccess() {
        try {
            new UnsafeBuffer(new byte[8]).putLongVolatile(0, 1);
        } catch (final IllegalAccessError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new IllegalStateException("netcon's sender needs the JVM option "
                + "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED (Agrona's memory access)", e);
        }
    }

    /** How the agent puts datagrams on the wire. */
    public enum Transport {
        /** Epoll where Netty's native transport loads (Linux x86_64), NIO elsewhere. */
        AUTO,
        /** Netty's native epoll transport: a duty cycle's datagrams go out in sendmmsg batches. */
        EPOLL,
        /** JDK NIO: one sendto per datagram; portable. */
        NIO
    }

    /** Which transport this sender uses: "epoll (sendmmsg)" or "nio". */
    public String transportName() {
        return agent.transport.name();
    }

    /** Settings; defaults are documented in docs/sender.md. */
    public static final class Builder {
        final List<InetSocketAddress> targets = new ArrayList<>();
        int sourcePort;
        String hostName = defaultHostName();
        int ringCapacity = 1 << 20;
        int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        int facility = 1;
        String release;
        IdleStrategy idleStrategy = new SleepingMillisIdleStrategy(1);
        Duration closeTimeout = Duration.ofSeconds(2);
        long firstSeq = 1;
        boolean startAgent = true;
        boolean shutdownHook;
        boolean reliable;
        Transport transport = Transport.AUTO;
        Duration epollIdle = Duration.ofMillis(1);
        int reliableHistory = 1024;
        Duration reliableEmergencyAfter = Duration.ofSeconds(10);
        boolean passThrough;
        final List<String> userdata = new ArrayList<>();

        /** A receiver, {@code host:port} or {@code [v6]:port} (port default 6666); repeatable. */
        public Builder target(final String hostPort) {
            targets.add(parse(hostPort));
            return this;
        }

        public Builder target(final InetSocketAddress address) {
            targets.add(address);
            return this;
        }

        /** Local UDP port to send from (default 0: ephemeral; netconsole uses 6665). */
        public Builder sourcePort(final int port) {
            sourcePort = port;
            return this;
        }

        /** Put in every record as {@code host=}: the receiver names its directory after it (null for none). */
        public Builder hostName(final String name) {
            hostName = name;
            return this;
        }

        /** Ring size in bytes, a power of two (default 1 MiB). */
        public Builder ringCapacity(final int bytes) {
            ringCapacity = bytes;
            return this;
        }

        /** Longest record once encoded (default 8192); longer text is truncated and marked NETCON_TRUNCATED. */
        public Builder maxRecordBytes(final int bytes) {
            maxRecordBytes = bytes;
            return this;
        }

        /** Syslog facility of every record (default 1, user). */
        public Builder facility(final int facility) {
            this.facility = facility;
            return this;
        }

        /**
         * A dictionary field added to every record after {@code host=}, like the userdata a kernel's netconsole
         * appends from configfs (e.g. {@code userdata("dc", "lab-7")}); repeatable. Keys: letters, digits, '_',
         * '-', '.'; values are escaped. Not added in pass-through mode (relayed records bring their own).
         */
        public Builder userdata(final String key, final String value) {
            if (key == null || key.isEmpty() || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128
                || c == '_' || c == '-' || c == '.')) {
                throw new IllegalArgumentException("userdata key '" + key + "' must be letters, digits, '_', '-' or '.'");
            }
            userdata.add(key);
            userdata.add(value == null ? "" : value);
            return this;
        }

        /** A release string prepended to every frame, as netconsole's release option does (default none). */
        public Builder release(final String release) {
            this.release = release;
            return this;
        }

        /** How datagrams go out (default {@link Transport#AUTO}: batched epoll where available, else NIO). */
        public Builder transport(final Transport transport) {
            this.transport = transport;
            return this;
        }

        /** With the epoll transport: how long the agent waits before looking again when there was nothing to send (default 1 ms). */
        public Builder epollIdle(final Duration idle) {
            this.epollIdle = idle;
            return this;
        }

        /** With the NIO transport: how the agent thread waits when there is nothing to send (default: sleep 1 ms). */
        public Builder idleStrategy(final IdleStrategy strategy) {
            idleStrategy = strategy;
            return this;
        }

        public Builder closeTimeout(final Duration timeout) {
            closeTimeout = timeout;
            return this;
        }

        /** Seq of the first record (default 1). */
        public Builder firstSeq(final long seq) {
            firstSeq = seq;
            return this;
        }

        /**
         * Pass-through mode (default false): records come with their own seqs through {@link #writeFrame} and
         * {@link #offerFrame} (e.g. /dev/kmsg records), write() is refused, and drop reports take the seq of the
         * first record they report (see the class comment).
         */
        public Builder passThrough(final boolean on) {
            passThrough = on;
            return this;
        }

        /** Start the agent thread at build() (default true); tests pause sending this way. */
        public Builder startAgent(final boolean start) {
            startAgent = start;
            return this;
        }

        /** Close (and so drain) the sender when the JVM shuts down (default false). */
        public Builder shutdownHook(final boolean hook) {
            shutdownHook = hook;
            return this;
        }

        /**
         * Reliable mode (default off): keep the last {@link #reliableHistory} records, resend those the receiver's
         * ncrx answers name as missing, and mark resends {@code ncemg=1} when acknowledgements stop. Needs exactly
         * one target, and a receiver that answers (netcon receive --reliable); docs/sender.md.
         */
        public Builder reliable(final boolean on) {
            reliable = on;
            return this;
        }

        /** Records kept for resending in reliable mode (default 1024; off-heap, records × maxRecordBytes bytes). */
        public Builder reliableHistory(final int records) {
            reliableHistory = records;
            return this;
        }

        /** Reliable mode: how long without any acknowledgement before emergency resends begin (default 10 s). */
        public Builder reliableEmergencyAfter(final Duration after) {
            reliableEmergencyAfter = after;
            return this;
        }

        public NetconSender build() {
            if (targets.isEmpty()) {
                targets.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), Wire.DEFAULT_RECEIVER_PORT));
            }
            if (Integer.bitCount(ringCapacity) != 1 || ringCapacity < 4096) {
                throw new IllegalArgumentException("ringCapacity=" + ringCapacity + " must be a power of two >= 4096");
            }
            if (maxRecordBytes < 256 || maxRecordBytes > ringCapacity / 8) {
                throw new IllegalArgumentException("maxRecordBytes=" + maxRecordBytes + " must be in 256..ringCapacity/8");
            }
            if (facility < 0 || facility > 127) {
                throw new IllegalArgumentException("facility=" + facility + " must be 0..127");
            }
            if (reliable && targets.size() != 1) {
                throw new IllegalArgumentException("reliable mode needs exactly one target, not " + targets.size());
            }
            if (reliable && (reliableHistory < 1 || reliableHistory > 1 << 20)) {
                throw new IllegalArgumentException("reliableHistory=" + reliableHistory + " must be in 1..1048576");
            }
            final NetconSender sender = new NetconSender(this);
            if (startAgent) {
                sender.start();
            }
            if (shutdownHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(sender::close, "netcon-sender-shutdown"));
            }
            return sender;
        }

        /** {@code host:port}, {@code [v6]:port}, {@code host} or {@code [v6]}; anything else is an IllegalArgumentException. */
        static InetSocketAddress parse(final String hostPort) {
            final String s = hostPort.trim();
            final int colon = s.lastIndexOf(':');
            String host = s;
            int port = Wire.DEFAULT_RECEIVER_PORT;
            if (s.startsWith("[")) {
                final int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("'" + hostPort + "': missing ']' after IPv6 address");
                }
                host = s.substring(1, close);
                if (close + 1 < s.length()) {
                    if (s.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("'" + hostPort + "': expected ':' after ']'");
                    }
                    port = port(hostPort, s.substring(close + 2));
                }
            } else if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = port(hostPort, s.substring(colon + 1));
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + hostPort + "': no host");
            }
            return new InetSocketAddress(host, port);
        }

        private static int port(final String hostPort, final String port) {
            try {
                final int p = Integer.parseInt(port);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (final NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException("'" + hostPort + "': port must be a number 0..65535");
        }

        private static String defaultHostName() {
            final String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (final UnknownHostException e) {
                return null;
            }
        }
    }

    /** Seqs dropped for one cause since the last report: a count and the lowest and highest seq. */
    static final class DropLog {
        /** Striped: with several writers on a full ring, one shared counter would be their bottleneck. */
        private final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
        private final AtomicLong reported = new AtomicLong();
        private final AtomicLong first = new AtomicLong(-1);
        private final AtomicLong last = new AtomicLong(-1);

        void drop(final long seq) {
            widen(seq);
            count.increment();
        }

        /** Puts back a range that {@link #take} handed out but could not be reported (single-writer logs only). */
        void restore(final long n, final long firstSeq, final long lastSeq) {
            widen(firstSeq);
            widen(lastSeq);
            reported.addAndGet(-n);
        }

        /** Read before any compare-and-set: most drops change neither end, and a failed CAS still takes the line. */
        private void widen(final long seq) {
            long f;
            while (Long.compareUnsigned(seq, f = first.get()) < 0 && !first.compareAndSet(f, seq)) {
                Thread.onSpinWait();
            }
            long l;
            while ((l = last.get()) == -1 || Long.compareUnsigned(seq, l) > 0) {
                if (last.compareAndSet(l, seq)) {
                    break;
                }
            }
        }

        long count() {
            return count.sum();
        }

        boolean hasUnreported() {
            return count.sum() != reported.get();
        }

        /** Takes the unreported range into {@code out} = {count, first, last}; false if nothing new. */
        boolean take(final long[] out) {
            final long c = count.sum();
            final long n = c - reported.get();
            if (n == 0) {
                return false;
            }
            out[0] = n;
            out[1] = first.getAndSet(-1);
            out[2] = last.getAndSet(-1);
            reported.set(c);
            return true;
        }
    }
}

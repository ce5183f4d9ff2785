package dev.netcon.sender;

import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.Wire;
import org.agrona.DirectBuffer;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private final int hostDictLength;
    private final SenderAgent agent;
    private AgentRunner runner;
    private EventLoopAgentRunner loopRunner;
    private volatile boolean closed;

    // Counters written by application threads.
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
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
        this.hostDictLength = hostName == null ? 0 : 2 + "host=".length() + FrameEncoder.escapedLength(hostName);
        this.headerBound = FrameEncoder.MAX_HEADER_FIELDS_LENGTH + (b.release == null ? 0 : b.release.length() + 1)
            + hostDictLength + 1;
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

    /** Queues a record; false if it was dropped (ring full or closed). Never blocks, never allocates. */
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
        final long seq = nextSeq.getAndIncrement();
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
            ringFullDrops.drop(seq);
            return false;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + length);
        if (index <= 0) {
            ringFullDrops.drop(seq);
            return false;
        }
        final UnsafeBuffer slot = (UnsafeBuffer) ring.buffer();
        final FrameEncoder encoder = ENCODERS.get();
        encoder.wrap(slot, index + LENGTH_FIELD, length)
            .header(config.release, Wire.prefix(config.facility, level & 7), seq, nowUsec(), Wire.FLAG_NONE);
        if (truncate) {
            encoder.textTruncating(text, hostDictLength + dictLength + truncateMark + 1);
            truncated.incrementAndGet();
        } else {
            encoder.text(text);
        }
        if (hostName != null) {
            encoder.dict("host", hostName);
        }
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
        final long seq = nextSeq.getAndIncrement();
        int textLength = length * 4; // worst case once escaped
        final boolean truncate = headerBound + textLength > config.maxRecordBytes;
        final int frameBound = truncate ? config.maxRecordBytes : headerBound + textLength;
        if (closed) {
            ringFullDrops.drop(seq);
            return false;
        }
        final int index = ring.tryClaim(MSG_FRAME, LENGTH_FIELD + frameBound);
        if (index <= 0) {
            ringFullDrops.drop(seq);
            return false;
        }
        final UnsafeBuffer slot = (UnsafeBuffer) ring.buffer();
        final FrameEncoder encoder = ENCODERS.get();
        encoder.wrap(slot, index + LENGTH_FIELD, frameBound)
            .header(config.release, Wire.prefix(config.facility, level & 7), seq, nowUsec(), Wire.FLAG_NONE)
            .textTruncating(text, offset, length, hostDictLength + 1);
        if (encoder.isTruncated()) {
            truncated.incrementAndGet();
        }
        if (hostName != null) {
            encoder.dict("host", hostName);
        }
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

    /** Encoders are flyweights with per-call state: one per writing thread, created on its first write. */
    private static final ThreadLocal<FrameEncoder> ENCODERS = ThreadLocal.withInitial(FrameEncoder::new);

    long nowUsec() {
        return baseUsec + (System.nanoTime() - baseNanos) / 1000;
    }

    long claimSeq() {
        return nextSeq.getAndIncrement();
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

    public SenderStats stats() {
        final ReliableLink r = agent.reliable;
        return new SenderStats(written.get(), ringFullDrops.count(), agent.wouldBlock.count(), agent.sendFailed.count(),
            truncated.get(), agent.sentRecords, agent.sentDatagrams, agent.fragmented, agent.sentBytes, agent.dropReports,
            agent.unackedEvicted.count(), r == null ? 0 : r.retransmitted, r == null ? 0 : r.emergencyResends,
            r == null ? -1 : r.ackedSeq);
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

    DatagramTransport agentTransport() {
        return agent.transport;
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

        static InetSocketAddress parse(final String hostPort) {
            final String s = hostPort.trim();
            final int close = s.lastIndexOf(']');
            final int colon = s.lastIndexOf(':');
            String host = s;
            int port = Wire.DEFAULT_RECEIVER_PORT;
            if (s.startsWith("[")) {
                host = s.substring(1, close);
                if (close + 1 < s.length()) {
                    port = Integer.parseInt(s.substring(close + 2));
                }
            } else if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = Integer.parseInt(s.substring(colon + 1));
            }
            return new InetSocketAddress(host, port);
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
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong reported = new AtomicLong();
        private final AtomicLong first = new AtomicLong(-1);
        private final AtomicLong last = new AtomicLong(-1);

        void drop(final long seq) {
            first.compareAndSet(-1, seq);
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
            count.incrementAndGet();
        }

        long count() {
            return count.get();
        }

        boolean hasUnreported() {
            return count.get() != reported.get();
        }

        /** Takes the unreported range into {@code out} = {count, first, last}; false if nothing new. */
        boolean take(final long[] out) {
            final long c = count.get();
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

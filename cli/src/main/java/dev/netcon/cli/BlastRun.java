package dev.netcon.cli;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * blast's sending loop. It runs on the event loop that owns every simulated host's socket, as a task that
 * sends up to {@link #BATCH} records of one host, flushes them (one {@code sendmmsg} with epoll) and
 * schedules itself again, so that making and sending datagrams happen on one thread with nothing handed
 * across threads, like the bare batched sender it is measured against. Hosts take turns in blocks of
 * {@code BATCH} records: records 1-64 of every host, then 65-128, and so on.
 *
 * <p>blast never drops: a socket the kernel is not taking more from is waited for, because the summary must
 * say exactly what was sent. With {@code --rate}, a task sends only the records that are due and then
 * sleeps until the next one is.
 */
final class BlastRun implements Runnable {
    static final int BATCH = 64;
    /** How long the end waits for sockets to hand their last datagrams to the kernel. */
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What one simulated host did; its counters are written by the event loop and read after {@link #await}. */
    static final class Host {
        final String name;
        final Channel channel;
        BlastFrames.Template template;
        long sentRecords;
        long datagrams;
        long lost;
        long duplicated;
        long reordered;
        private ByteBuf[] heldBack;
        private int heldBackCount;
        private boolean unflushed;

        Host(final String name, final Channel channel) {
            this.name = name;
            this.channel = channel;
        }

        /** The source address and port the receiver sees, "127.1.0.1:41234". */
        String source() {
            return dev.netcon.receiver.HostPort.format((java.net.InetSocketAddress) channel.localAddress());
        }
    }

    /** Seeded impairments; a host's first and last records are never impaired, so every loss is a visible gap. */
    record Impairments(double loss, double reorder, double dup, long seed) {
    }

    private final List<Host> hosts;
    private final long records;
    private final double nanosPerRecord;
    private final Impairments impair;
    private final Random random;
    private final BlastFrames frames;
    private final EventLoop loop;
    private final ByteBuf[] datagrams;
    private final AtomicLong progress = new AtomicLong();
    private final CountDownLatch finished = new CountDownLatch(1);

    private long start;
    private long done;
    private long blockStart = 1;
    private int hostIndex;
    private long seq = 1;
    private long drainDeadline;
    private volatile Throwable failure;
    private volatile long elapsedNanos;

    BlastRun(final List<Host> hosts, final long records, final double rate, final Impairments impair, final BlastFrames frames,
             final EventLoop loop) {
        this.hosts = hosts;
        this.records = records;
        this.nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
        this.impair = impair;
        this.random = new Random(impair.seed());
        this.frames = frames;
        this.loop = loop;
        int most = 1;
        for (final Host h : hosts) {
            most = Math.max(most, frames.maxDatagrams(h.name));
            h.template = frames.template(h.name);
        }
        this.datagrams = new ByteBuf[most];
    }

    void start() {
        loop.execute(() -> {
            start = System.nanoTime();
            run();
        });
    }

    /** Records handled so far (sent or lost on purpose), for the progress bar; any thread. */
    long progress() {
        return progress.get();
    }

    /** Waits for the end; true when every datagram was handed to the kernel. */
    boolean await(final long timeout, final TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    Throwable failure() {
        return failure;
    }

    /** From the first record to the last datagram handed to the kernel. */
    double seconds() {
        return elapsedNanos / 1e9;
    }

    @Override
    public void run() {
        try {
            if (blockStart > records) {
                drain();
                return;
            }
            final Host host = hosts.get(hostIndex);
            if (!host.channel.isWritable() && host.channel.isActive()) {
                loop.schedule(this, 20, TimeUnit.MICROSECONDS); // the kernel is behind: let Netty drain first
                return;
            }
            int n = BATCH;
            if (nanosPerRecord > 0) {
                final long elapsed = System.nanoTime() - start;
                final long due = (long) (elapsed / nanosPerRecord) + 1 - done;
                if (due <= 0) {
                    loop.schedule(this, (long) (done * nanosPerRecord) - elapsed, TimeUnit.NANOSECONDS);
                    return;
                }
                n = (int) Math.min(n, due);
            }
            sendRecords(host, n);
            progress.lazySet(done);
            loop.execute(this);
        } catch (final Throwable t) {
            failure = t;
            finished.countDown();
        }
    }

    /** Up to {@code n} records of {@code host}, never past the end of its block; then a flush. */
    private void sendRecords(final Host host, final int n) {
        final long blockEnd = Math.min(blockStart + BATCH - 1, records);
        for (int i = 0; i < n && seq <= blockEnd; i++) {
            sendRecord(host, seq++);
            done++;
        }
        if (host.unflushed) {
            host.channel.flush();
            host.unflushed = false;
        }
        if (seq > blockEnd) { // this host's turn in the block is over
            if (++hostIndex == hosts.size()) {
                hostIndex = 0;
                blockStart += BATCH;
            }
            seq = blockStart;
        }
    }

    private void sendRecord(final Host h, final long r) {
        final boolean edge = r == 1 || r == records;
        if (!edge && impair.loss() > 0 && random.nextDouble() < impair.loss()) {
            h.lost++;
            return;
        }
        final int count = frames.make(h.template, r, (System.nanoTime() - start) / 1000, h.channel.alloc(), datagrams);
        final int copies = !edge && impair.dup() > 0 && random.nextDouble() < impair.dup() ? 2 : 1;
        if (copies == 2) {
            h.duplicated++;
        }
        final boolean holdBack = !edge && h.heldBack == null && impair.reorder() > 0 && random.nextDouble() < impair.reorder();
        for (int c = 0; c < copies; c++) {
            final boolean lastCopy = c == copies - 1; // the last copy takes the buffers themselves, the others duplicates
            if (holdBack && c == 0) {
                h.heldBack = new ByteBuf[count];
                for (int i = 0; i < count; i++) {
                    h.heldBack[i] = lastCopy ? datagrams[i] : datagrams[i].retainedDuplicate();
                }
                h.heldBackCount = count;
                h.reordered++;
                continue;
            }
            for (int i = 0; i < count; i++) {
                write(h, lastCopy ? datagrams[i] : datagrams[i].retainedDuplicate());
            }
        }
        if (!holdBack && h.heldBack != null) {
            for (int i = 0; i < h.heldBackCount; i++) {
                write(h, h.heldBack[i]);
            }
            h.heldBack = null;
        }
        h.sentRecords++;
    }

    private static void write(final Host h, final ByteBuf datagram) {
        h.channel.write(datagram, h.channel.voidPromise());
        h.datagrams++;
        h.unflushed = true;
    }

    /** Ends once every socket handed its queue to the kernel (or closed, or the bounded wait ran out). */
    private void drain() {
        if (drainDeadline == 0) {
            drainDeadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        }
        for (final Host h : hosts) {
            final var queue = h.channel.unsafe().outboundBuffer();
            if (h.channel.isActive() && queue != null && !queue.isEmpty() && System.nanoTime() < drainDeadline) {
                loop.schedule(this, 100, TimeUnit.MICROSECONDS);
                return;
            }
        }
        elapsedNanos = System.nanoTime() - start;
        progress.lazySet(done);
        finished.countDown();
    }
}

package dev.netcon.bench.raw;

import dev.netcon.sender.NetconSender;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * netcon's own sender under the same harness as the bare senders: one application thread calls
 * {@code write()}, and "sent" is what the sender's agent handed to the kernel. Each datagram is the payload
 * as a record's text plus netcon's header and {@code host=} line, some 40 bytes longer than the bare
 * senders' datagrams.
 *
 * <p>Two callers: one that spins on {@code write()} (most calls find the ring full and are dropped, as in the
 * JMH benchmark), which on a small machine takes a core away from the agent; and one that parks for
 * {@link #BACKOFF_NANOS} whenever the ring is full, which keeps the ring topped up with almost no CPU, so
 * that what is measured is what the agent itself can deliver.
 */
final class NetconLoadSender implements LoadSender {
    /** Far less than the time the agent needs to drain a full 1 MiB ring (thousands of records). */
    private static final long BACKOFF_NANOS = 100_000;

    private final boolean park;
    private volatile boolean running;
    private NetconSender sender;
    private Thread thread;

    /** @param park whether the caller parks when the ring is full (else it spins) */
    NetconLoadSender(final boolean park) {
        this.park = park;
    }

    @Override
    public void start(final InetSocketAddress target, final byte[] payload) {
        sender = NetconSender.builder().target(target).hostName("bench").closeTimeout(Duration.ofMillis(500)).build();
        final String text = new String(payload, StandardCharsets.US_ASCII);
        running = true;
        thread = new Thread(() -> {
            while (running) {
                if (!sender.write(NetconSender.LEVEL_INFO, text) && park) {
                    LockSupport.parkNanos(BACKOFF_NANOS);
                }
            }
        }, "netcon-writer");
        thread.start();
    }

    @Override
    public long sent() {
        return sender.stats().sentDatagrams();
    }

    @Override
    public String describe() {
        return park
            ? "netcon-park: NetconSender.write() from 1 thread that parks 100 us when the ring is full; the agent sends"
            : "netcon-spin: NetconSender.write() from 1 thread in a loop (as JMH's netcon_1t); the agent sends";
    }

    @Override
    public void close() {
        running = false;
        try {
            if (thread != null) {
                thread.join(2000);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender != null) {
            sender.close();
        }
    }
}

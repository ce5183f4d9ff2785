package dev.netcon.bench.raw;

import dev.netcon.sender.NetconSender;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * netcon's own sender under the same harness as the bare senders: one application thread calls
 * {@code write()} as fast as it can (most calls find the ring full and are dropped), and "sent" is what the
 * sender's agent handed to the kernel. Each datagram is the payload as a record's text plus netcon's header
 * and {@code host=} line, so some 40 bytes longer than the bare senders' datagrams.
 */
final class NetconLoadSender implements LoadSender {
    private volatile boolean running;
    private NetconSender sender;
    private Thread thread;

    @Override
    public void start(final InetSocketAddress target, final byte[] payload) {
        sender = NetconSender.builder().target(target).hostName("bench").closeTimeout(Duration.ofMillis(500)).build();
        final String text = new String(payload, StandardCharsets.US_ASCII);
        running = true;
        thread = new Thread(() -> {
            while (running) {
                sender.write(NetconSender.LEVEL_INFO, text);
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
        return "netcon: NetconSender.write() from 1 thread, its agent sends (defaults: 1 MiB ring)";
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

package dev.netcon.bench.raw;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code DatagramChannel.send} system call per datagram, non-blocking and unconnected: the way netcon's
 * sender agent sends today, without anything else around it.
 */
final class SingleSender implements LoadSender {
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running;
    private DatagramChannel channel;
    private Thread thread;

    @Override
    public void start(final InetSocketAddress target, final byte[] payload) throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        final ByteBuffer datagram = ByteBuffer.allocateDirect(payload.length).put(payload);
        running = true;
        thread = new Thread(() -> sendLoop(target, datagram), "single-sender");
        thread.start();
    }

    private void sendLoop(final InetSocketAddress target, final ByteBuffer datagram) {
        long count = 0;
        try {
            while (running) {
                datagram.clear();
                if (channel.send(datagram, target) > 0) {
                    sent.lazySet(++count);
                }
            }
        } catch (final IOException e) {
            System.err.println("single sender stopped: " + e);
        }
    }

    @Override
    public long sent() {
        return sent.get();
    }

    @Override
    public String describe() {
        return "single: NIO DatagramChannel.send, 1 datagram per system call";
    }

    @Override
    public void close() {
        running = false;
        try {
            if (thread != null) {
                thread.join(2000);
            }
            if (channel != null) {
                channel.close();
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException e) {
            // closing: nothing to do
        }
    }
}

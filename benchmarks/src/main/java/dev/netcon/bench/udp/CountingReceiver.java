package dev.netcon.bench.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback UDP socket and one thread that counts the datagrams it receives, one blocking
 * {@code receive} per datagram, and does nothing else with them: the "delivered" side of the
 * sender benchmarks.
 *
 * <p>It allocates nothing per datagram once warm (a direct buffer, and the JDK caches the sender's
 * address while it stays the same), so that it adds nothing to the B/op that {@code -prof gc}
 * measures over every thread of the benchmark JVM.
 */
public final class CountingReceiver implements DatagramCounter {
    /** The most Linux grants without raising net.core.rmem_max on most hosts (4 MiB here). */
    private static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    private final DatagramChannel channel;
    private final Thread thread;
    private final AtomicLong received = new AtomicLong();
    private final int grantedReceiveBuffer;
    private final InetSocketAddress address;

    public CountingReceiver() throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        grantedReceiveBuffer = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        address = (InetSocketAddress) channel.getLocalAddress();
        thread = new Thread(this::receiveLoop, "counting-receiver");
        thread.setDaemon(true);
        thread.start();
    }

    private void receiveLoop() {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        long count = 0;
        try {
            while (true) {
                buffer.clear();
                channel.receive(buffer);
                // Single writer: a release store is enough for readers on other threads.
                received.lazySet(++count);
            }
        } catch (final ClosedChannelException closed) {
            // close(): done
        } catch (final IOException e) {
            System.err.println("counting receiver stopped: " + e);
        }
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public long received() {
        return received.get();
    }

    /** What the kernel granted for SO_RCVBUF (it doubles the asked value, capped by rmem_max). */
    public int grantedReceiveBuffer() {
        return grantedReceiveBuffer;
    }

    @Override
    public String describe() {
        return "plain: DatagramChannel.receive, 1 datagram per system call";
    }

    @Override
    public void close() {
        try {
            channel.close();
            thread.join(2000);
        } catch (final IOException e) {
            // closing: nothing to do
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

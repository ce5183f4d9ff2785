package dev.netcon.sender;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** One non-blocking {@code sendto} per datagram with a JDK channel: portable, and the fallback where epoll is missing. */
final class NioDatagramTransport implements DatagramTransport {
    private final DatagramChannel channel;

    NioDatagramTransport(final boolean ipv6, final int sourcePort, final int sendBufferBytes) throws IOException {
        channel = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
        channel.bind(new InetSocketAddress(sourcePort));
        channel.configureBlocking(false);
    }

    @Override
    public int send(final ByteBuffer payload, final InetSocketAddress target) {
        try {
            return channel.send(payload, target) == 0 ? WOULD_BLOCK : SENT;
        } catch (final IOException e) {
            return FAILED;
        }
    }

    @Override
    public void flush() {
        // every send already went out
    }

    @Override
    public SocketAddress receive(final ByteBuffer dst) throws IOException {
        return channel.receive(dst);
    }

    @Override
    public long asyncFailures() {
        return 0;
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // closing: nothing more to send
        }
    }
}

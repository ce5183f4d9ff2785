package dev.netcon.sender;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * How the sender's agent puts datagrams on the wire and reads the receiver's ncrx answers. Two
 * implementations: {@link EpollDatagramTransport} batches a duty cycle's datagrams into {@code sendmmsg}
 * calls (Linux, Netty's native transport); {@link NioDatagramTransport} makes one system call per datagram
 * and works everywhere. Called from the agent's thread only.
 */
interface DatagramTransport extends AutoCloseable {
    int SENT = 0;
    /** The socket (or the batch waiting for it) is full: the datagram was not taken. */
    int WOULD_BLOCK = 1;
    int FAILED = 2;

    /** Takes the datagram in {@code payload}'s position..limit for {@code target}; may only queue it until {@link #flush}. */
    int send(ByteBuffer payload, InetSocketAddress target);

    /** Ends a duty cycle: everything taken by {@link #send} goes out now. */
    void flush();

    /** Copies the next received datagram into {@code dst} and returns its sender, or null if none is waiting. */
    SocketAddress receive(ByteBuffer dst) throws IOException;

    /** Datagrams that failed after {@link #send} took them (asynchronous transports), so no seq can be named. */
    long asyncFailures();

    /** "epoll (sendmmsg)" or "nio". */
    String name();

    @Override
    void close();
}

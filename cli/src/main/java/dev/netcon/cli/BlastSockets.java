package dev.netcon.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The simulated hosts' sockets: one connected datagram channel per host (its own source port), all on one
 * Netty event loop. Datagrams are queued and flushed every {@link #FLUSH_EVERY}, so that with the epoll
 * transport they leave in {@code sendmmsg} batches instead of one system call each. Unlike the sender
 * library, blast never drops: when a channel's queue is full it waits, because its summary must say exactly
 * what was sent.
 */
final class BlastSockets implements AutoCloseable {
    private static final int FLUSH_EVERY = 64;
    private static final int SEND_BUFFER_BYTES = 1 << 20;

    private final InetSocketAddress target;
    private final boolean epoll;
    private final EventLoopGroup group;
    private final List<Socket> sockets = new ArrayList<>();

    static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    BlastSockets(final InetSocketAddress target, final boolean epoll) {
        this.target = target;
        this.epoll = epoll;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcon-blast", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A new socket with its own ephemeral source port, connected to the target. */
    Socket open() throws IOException {
        final Bootstrap b = new Bootstrap().group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(SEND_BUFFER_BYTES / 4, SEND_BUFFER_BYTES / 2))
            .handler(new Quiet());
        final ChannelFuture f = b.connect(target).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot open a socket to " + target + ": " + f.cause().getMessage(), f.cause());
        }
        final Socket s = new Socket(f.channel());
        sockets.add(s);
        return s;
    }

    /** Sends what every socket has queued. */
    void flushAll() {
        for (final Socket s : sockets) {
            s.flush();
        }
    }

    /** Flushes, then waits (bounded) until each socket's last datagram was handed to the kernel. */
    void finish() {
        flushAll();
        for (final Socket s : sockets) {
            if (s.last != null) {
                s.last.awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    String transportName() {
        return epoll ? "epoll, sendmmsg" : "nio";
    }

    @Override
    public void close() {
        for (final Socket s : sockets) {
            s.channel.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One simulated host's socket. Used from the blast thread only. */
    static final class Socket {
        private final Channel channel;
        private int queued;
        private ChannelFuture last;

        Socket(final Channel channel) {
            this.channel = channel;
        }

        /** Queues the datagram in {@code payload}'s position..limit, waiting while the socket's queue is full. */
        void send(final ByteBuffer payload) {
            while (!channel.isWritable() && channel.isActive()) {
                channel.flush();
                LockSupport.parkNanos(20_000);
            }
            final ByteBuf buf = channel.alloc().directBuffer(payload.remaining());
            buf.writeBytes(payload);
            last = channel.write(buf);
            if (++queued >= FLUSH_EVERY) {
                flush();
            }
        }

        void flush() {
            if (queued > 0) {
                queued = 0;
                channel.flush();
            }
        }
    }

    /** Nothing is read; "port unreachable" from a receiver not (yet) listening is expected with UDP and ignored. */
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            // UDP goes on, as a kernel's netconsole would
        }
    }
}

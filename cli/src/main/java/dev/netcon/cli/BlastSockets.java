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
 * Netty event loop. Datagrams are handed over in batches of {@link #FLUSH_EVERY}, so that with the epoll
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
            s.awaitWritten(10_000);
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

    /**
     * One simulated host's socket. The blast thread fills a batch of datagrams and hands the whole batch to the
     * event loop in one task, which writes and flushes it (one {@code sendmmsg} with epoll): generating and
     * sending run on two threads, and the cross-thread cost is paid once per batch, not per datagram. Used
     * from the blast thread only, except the counter the event loop decrements.
     */
    static final class Socket {
        /** Batches handed over but not yet written: bounds what waits in the event loop's queue. */
        private static final int MAX_IN_FLIGHT = 4;

        private final Channel channel;
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private ByteBuf[] batch = new ByteBuf[FLUSH_EVERY];
        private int queued;
        private volatile ChannelFuture last;

        Socket(final Channel channel) {
            this.channel = channel;
        }

        /** Queues the datagram in {@code payload}'s position..limit; hands the batch over when it is full. */
        void send(final ByteBuffer payload) {
            final ByteBuf buf = channel.alloc().directBuffer(payload.remaining());
            buf.writeBytes(payload);
            batch[queued++] = buf;
            if (queued == FLUSH_EVERY) {
                flush();
            }
        }

        /** Hands the queued datagrams to the event loop, first waiting while the socket is backed up. */
        void flush() {
            if (queued == 0) {
                return;
            }
            while ((inFlight.get() >= MAX_IN_FLIGHT || !channel.isWritable()) && channel.isActive()) {
                LockSupport.parkNanos(20_000); // blast never drops: its summary must be exactly what was sent
            }
            final ByteBuf[] handed = batch;
            final int count = queued;
            batch = new ByteBuf[FLUSH_EVERY];
            queued = 0;
            inFlight.incrementAndGet();
            channel.eventLoop().execute(() -> {
                for (int i = 0; i < count - 1; i++) {
                    channel.write(handed[i], channel.voidPromise());
                }
                last = channel.write(handed[count - 1]); // completes once it, and so all before it, is written
                channel.flush();
                inFlight.decrementAndGet();
            });
        }

        /** Waits (bounded) until every datagram handed over was written to the kernel. */
        void awaitWritten(final long timeoutMs) {
            final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
            final ChannelFuture f = last;
            if (f != null) {
                f.awaitUninterruptibly(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
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

package dev.netcon.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The simulated hosts' sockets: one connected datagram channel per host (its own source address or port), all on one
 * Netty event loop, epoll (a flush of many datagrams is one {@code sendmmsg}) or NIO. {@link BlastRun} sends
 * on that loop.
 */
final class BlastSockets implements AutoCloseable {
    private static final int SEND_BUFFER_BYTES = 1 << 20;

    private final InetSocketAddress target;
    private final boolean epoll;
    private final EventLoopGroup group;
    private final List<Channel> sockets = new ArrayList<>();

    static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    BlastSockets(final InetSocketAddress target, final boolean epoll) {
        this.target = target;
        this.epoll = epoll;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcon-blast", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /**
     * The socket of simulated host {@code index}, connected to the target. Against an IPv4 loopback target each
     * host gets an address of its own, {@code 127.1.0.1} + index (all of 127.0.0.0/8 is local on Linux), as
     * real hosts would have, so that a receiver spreads them over its workers and a host's source does not
     * repeat another's from an earlier run; elsewhere hosts differ by source port only.
     */
    Channel open(final int index) throws IOException {
        final Bootstrap b = new Bootstrap().group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(SEND_BUFFER_BYTES / 4, SEND_BUFFER_BYTES / 2))
            .handler(new Quiet());
        final InetSocketAddress local = sourceAddress(index);
        final ChannelFuture f = (local == null ? b.connect(target) : b.connect(target, local)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot open a socket to " + target + (local == null ? "" : " from " + local.getAddress().getHostAddress())
                + ": " + f.cause().getMessage(), f.cause());
        }
        sockets.add(f.channel());
        return f.channel();
    }

    /** Host {@code index}'s own loopback address (any port), or null where hosts share the machine's address. */
    private InetSocketAddress sourceAddress(final int index) throws IOException {
        final byte[] t = target.getAddress().getAddress();
        if (t.length != 4 || t[0] != 127) {
            return null;
        }
        final int address = (127 << 24 | 1 << 16) + 1 + index;
        if (address >>> 24 != 127 || address == 0x7FFFFFFF) {
            throw new IOException("too many hosts for 127.0.0.0/8");
        }
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {
            (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address}), 0);
    }

    /** The one event loop every socket belongs to (blast's sending thread). */
    EventLoop loop() {
        return group.next();
    }

    String transportName() {
        return epoll ? "epoll, sendmmsg" : "nio";
    }

    @Override
    public void close() {
        for (final Channel s : sockets) {
            s.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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

package dev.netcon.sender;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Batched sends with Netty's native epoll transport: the datagrams of one duty cycle are queued on the channel
 * and one flush hands them to the kernel in {@code sendmmsg} calls, about three times the datagrams per second
 * of one {@code sendto} each (docs/benchmarks.md). The agent runs on this channel's event loop
 * ({@link EventLoopAgentRunner}), so queuing is a plain method call, never a cross-thread task. A datagram
 * is refused (would block) once the channel's queue is above its high-water mark: the sender never buffers
 * without bound.
 */
final class EpollDatagramTransport implements DatagramTransport {
    private static final int ANSWER_SLOTS = 16;

    private final EventLoopGroup group;
    private final Channel channel;
    private final ByteBuffer[] answers = new ByteBuffer[ANSWER_SLOTS];
    private final SocketAddress[] answerSenders = new SocketAddress[ANSWER_SLOTS];
    private int answerHead;
    private int answerCount;
    private int queued;
    private final boolean connected;
    private volatile long asyncFailures;

    static boolean isAvailable() {
        return Epoll.isAvailable();
    }

    /**
     * @param onlyTarget when the sender has a single target the socket is connected to it: datagrams need no
     *                   per-datagram address object (nothing is allocated per send), and only that peer's
     *                   answers are read. Null for several targets.
     */
    EpollDatagramTransport(final boolean ipv6, final int sourcePort, final int sendBufferBytes,
                           final InetSocketAddress onlyTarget) throws IOException {
        for (int i = 0; i < ANSWER_SLOTS; i++) {
            answers[i] = ByteBuffer.allocateDirect(2048);
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcon-sender", true),
            EpollIoHandler.newFactory());
        final Bootstrap b = new Bootstrap().group(group)
            .channelFactory(() -> new EpollDatagramChannel(ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET))
            .option(ChannelOption.SO_SNDBUF, sendBufferBytes)
            .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(sendBufferBytes / 4, sendBufferBytes / 2))
            .handler(new AnswerHandler());
        try {
            final InetSocketAddress local = new InetSocketAddress(ipv6 ? "::" : "0.0.0.0", sourcePort);
            channel = (onlyTarget == null ? b.bind(local) : b.connect(onlyTarget, local)).sync().channel();
            connected = onlyTarget != null;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("interrupted while binding the sender's socket", e);
        } catch (final RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException(e.getMessage(), e);
        }
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public int send(final ByteBuffer payload, final InetSocketAddress target) {
        if (!channel.isWritable()) {
            return WOULD_BLOCK;
        }
        final ByteBuf buf = channel.alloc().directBuffer(payload.remaining());
        buf.writeBytes(payload);
        channel.write(connected ? buf : new DatagramPacket(buf, target), channel.voidPromise());
        queued++;
        return SENT;
    }

    @Override
    public void flush() {
        if (queued > 0) {
            queued = 0;
            channel.flush();
        }
    }

    @Override
    public SocketAddress receive(final ByteBuffer dst) {
        if (answerCount == 0) {
            return null;
        }
        final ByteBuffer src = answers[answerHead];
        final SocketAddress from = answerSenders[answerHead];
        src.flip();
        if (src.remaining() <= dst.remaining()) {
            dst.put(src);
        }
        src.clear();
        answerHead = (answerHead + 1) % ANSWER_SLOTS;
        answerCount--;
        return from;
    }

    @Override
    public long asyncFailures() {
        return asyncFailures;
    }

    @Override
    public String name() {
        return "epoll (sendmmsg)";
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Keeps the receiver's ncrx answers (read on the event loop, like everything here) until the agent polls. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket packet) {
            if (answerCount == ANSWER_SLOTS || packet.content().readableBytes() > 2048) {
                return; // answers are repeated by the receiver: dropping one costs a little latency, nothing else
            }
            final int slot = (answerHead + answerCount) % ANSWER_SLOTS;
            final ByteBuffer dst = answers[slot];
            final ByteBuf content = packet.content();
            dst.clear().limit(content.readableBytes());
            content.getBytes(content.readerIndex(), dst);
            answerSenders[slot] = connected ? channel.remoteAddress() : packet.sender();
            answerCount++;
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            asyncFailures++; // a datagram the kernel refused after it was queued; counted, never printed per packet
        }
    }
}

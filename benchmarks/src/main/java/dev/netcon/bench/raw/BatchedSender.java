package dev.netcon.bench.raw;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bare batched sender of design.md section 8: Netty's epoll datagram channel, {@code batch} datagrams
 * written and then one flush, which Netty turns into one {@code sendmmsg} system call. It runs on the channel's
 * event loop, one batch per task, so nothing crosses threads.
 */
final class BatchedSender implements LoadSender {
    private final int batch;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final AtomicLong sent = new AtomicLong();
    private final Runnable sendBatch = this::sendBatch;
    private volatile boolean running;
    private Channel channel;
    private ByteBuf payload;
    private InetSocketAddress target;
    private long written;

    BatchedSender(final int batch) {
        this.batch = batch;
    }

    @Override
    public void start(final InetSocketAddress target, final byte[] bytes) throws InterruptedException {
        this.target = target;
        this.payload = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
            .option(ChannelOption.SO_SNDBUF, 4 << 20)
            .handler(new ChannelInboundHandlerAdapter())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        running = true;
        channel.eventLoop().execute(sendBatch);
    }

    private void sendBatch() {
        if (!running) {
            return;
        }
        // Not writable: the kernel refused some; wait for Netty to drain them instead of queueing more.
        if (channel.isWritable()) {
            for (int i = 0; i < batch; i++) {
                channel.write(new DatagramPacket(payload.retainedDuplicate(), target), channel.voidPromise());
            }
            channel.flush();
            written += batch;
            sent.lazySet(written - channel.unsafe().outboundBuffer().size());
        }
        channel.eventLoop().execute(sendBatch);
    }

    @Override
    public long sent() {
        return sent.get();
    }

    @Override
    public String describe() {
        return "batched: Netty epoll, " + batch + " datagrams per flush (sendmmsg)";
    }

    @Override
    public void close() {
        running = false;
        if (channel != null) {
            channel.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
        if (payload != null) {
            payload.release();
        }
    }
}

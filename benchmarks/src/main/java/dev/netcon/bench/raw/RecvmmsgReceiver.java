package dev.netcon.bench.raw;

import dev.netcon.bench.udp.DatagramCounter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bare batched receiver: Netty's epoll datagram channel reading with {@code recvmmsg} (a read buffer of
 * {@code batch} slots of {@link #SLOT} bytes), counting datagrams and dropping them.
 */
final class RecvmmsgReceiver implements DatagramCounter {
    /** Largest datagram one slot holds: netconsole frames are at most 1000 bytes. */
    private static final int SLOT = 1024;

    private final int batch;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final AtomicLong received = new AtomicLong();
    private final Channel channel;
    private final int grantedReceiveBuffer;

    // RCVBUF_ALLOCATOR is deprecated in Netty 4.2, but its size is still what sets how many slots one
    // recvmmsg call fills (as in the receiver's UdpIngest).
    @SuppressWarnings("deprecation")
    RecvmmsgReceiver(final int batch) throws InterruptedException {
        this.batch = batch;
        channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, SLOT)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(SLOT * batch))
            .handler(new Counter())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        grantedReceiveBuffer = channel.config().getOption(ChannelOption.SO_RCVBUF);
    }

    /** Runs on the channel's one event-loop thread, so a plain counter published with a release store is enough. */
    private final class Counter extends ChannelInboundHandlerAdapter {
        private long count;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            ReferenceCountUtil.release(msg);
            received.lazySet(++count);
        }
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public long received() {
        return received.get();
    }

    @Override
    public String describe() {
        return "recvmmsg: Netty epoll, " + batch + " datagrams per read";
    }

    int grantedReceiveBuffer() {
        return grantedReceiveBuffer;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }
}

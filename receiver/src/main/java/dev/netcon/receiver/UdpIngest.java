package dev.netcon.receiver;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.RecvmmsgReader;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP ingest: binds every listen address (with epoll, one SO_REUSEPORT socket per I/O thread and batched
 * reads via recvmmsg; NIO elsewhere), and hands each datagram to the worker that owns its source. Nothing here
 * decodes or waits: a full worker queue drops and counts.
 */
final class UdpIngest implements Worker.AckSender, AutoCloseable {
    /** Largest datagram read; netconsole frames are at most 1000 bytes. */
    private static final int MAX_DATAGRAM = 4096;
    /**
     * JVM property choosing how datagrams are read: {@code auto} (the default: recvmmsg where possible),
     * {@code recvmmsg} (same), {@code epoll-channel} (Netty's EpollDatagramChannel, a DatagramPacket per
     * datagram), {@code nio}. An escape hatch for operators and the way tests reach each path.
     */
    static final String READ_PROPERTY = "netcon.udp.read";
    /** recvmmsg batch: one read buffer holds this many datagrams (as the raw baseline's receiver reads). */
    private static final int BATCH = 64;

    private final ReceiverConfig config;
    private final Worker[] workers;
    private final ReceiverStats stats;
    private final EventLoopGroup group;
    private final boolean epoll;
    /** epoll without Netty's per-datagram objects: RecvmmsgReaders instead of channels (docs/receiver.md). */
    private final boolean allocationFree;
    private final List<RecvmmsgReader> readers = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicLong handlerErrors = new AtomicLong();
    private String description = "";

    UdpIngest(final ReceiverConfig config, final Worker[] workers, final ReceiverStats stats) {
        this.config = config;
        this.workers = workers;
        this.stats = stats;
        final String read = System.getProperty(READ_PROPERTY, "auto");
        if (!List.of("auto", "recvmmsg", "epoll-channel", "nio").contains(read)) {
            throw new IllegalArgumentException("-D" + READ_PROPERTY + " must be auto, recvmmsg, epoll-channel or nio, not " + read);
        }
        this.epoll = !read.equals("nio") && Epoll.isAvailable();
        this.allocationFree = epoll && !read.equals("epoll-channel") && RecvmmsgReader.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("netcon-udp"),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Binds every address; throws with a one-line message when one cannot be bound. */
    void start() throws IOException {
        final List<InetSocketAddress> listen = config.listen();
        final StringBuilder desc = new StringBuilder();
        if (listen.isEmpty()) {
            try {
                bind(new InetSocketAddress("::", ReceiverConfig.DEFAULT_PORT), desc);
            } catch (final BindFailure e) {
                if (e.reason() != BindFailure.Reason.OTHER) {
                    throw e; // taken or not allowed: IPv4 would fail the same way
                }
                bind(new InetSocketAddress("0.0.0.0", ReceiverConfig.DEFAULT_PORT), desc); // no IPv6 here
            }
        } else {
            for (final InetSocketAddress a : listen) {
                bind(a, desc);
            }
        }
        description = desc.toString();
    }

    /** "udp [::]:6666 (epoll, 2 sockets, SO_RCVBUF 425984 granted of 8388608 asked)". */
    String description() {
        return description;
    }

    /** Every bound address, one per --listen (tests listen on port 0 and read the real ports here). */
    List<InetSocketAddress> localAddresses() {
        final List<InetSocketAddress> all = new ArrayList<>();
        if (allocationFree) {
            readers.forEach(r -> all.add(r.localAddress()));
        } else {
            channels.forEach(c -> all.add((InetSocketAddress) c.localAddress()));
        }
        return all;
    }

    /** The first bound address (tests listen on port 0 and read the real port here). */
    InetSocketAddress localAddress() {
        return allocationFree ? readers.get(0).localAddress() : (InetSocketAddress) channels.get(0).localAddress();
    }

    private void bind(final InetSocketAddress address, final StringBuilder desc) throws IOException {
        if (allocationFree) {
            bindReaders(address, desc);
            return;
        }
        final int sockets = epoll ? config.ioThreads() : 1;
        final Bootstrap b = new Bootstrap().group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(epoll ? MAX_DATAGRAM * BATCH : MAX_DATAGRAM));
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, sockets > 1);
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        }
        InetSocketAddress bound = address;
        int granted = 0;
        for (int i = 0; i < sockets; i++) {
            final IngestHandler handler = new IngestHandler(channels.size()); // its index: acks leave from it
            b.handler(handler);
            final Channel ch;
            try {
                ch = b.bind(bound).sync().channel();
            } catch (final Exception e) {
                throw BindFailure.of(e, "listen on udp " + HostPort.format(address), "--listen");
            }
            channels.add(ch);
            bound = (InetSocketAddress) ch.localAddress(); // port 0: the others join the port the first got
            granted = ch.config().getOption(ChannelOption.SO_RCVBUF);
        }
        describe(desc, bound, epoll ? "epoll" : "nio", sockets, granted);
    }

    /** One SO_REUSEPORT socket per I/O thread, each read by a RecvmmsgReader on its event loop. */
    private void bindReaders(final InetSocketAddress address, final StringBuilder desc) throws IOException {
        final int sockets = config.ioThreads();
        InetSocketAddress bound = address;
        int granted = 0;
        for (int i = 0; i < sockets; i++) {
            final RecvmmsgReader reader;
            try {
                reader = RecvmmsgReader.bind(bound, sockets > 1, config.receiveBufferBytes(), MAX_DATAGRAM, BATCH,
                    new IngestHandler(readers.size()));
            } catch (final IOException | RuntimeException e) {
                throw BindFailure.of(e, "listen on udp " + HostPort.format(address), "--listen");
            }
            readers.add(reader);
            reader.start((IoEventLoop) group.next());
            bound = reader.localAddress(); // port 0: the others join the port the first got
            granted = reader.receiveBufferSize();
        }
        describe(desc, bound, "epoll, recvmmsg without per-datagram objects", sockets, granted);
    }

    private void describe(final StringBuilder desc, final InetSocketAddress bound, final String how, final int sockets,
                          final int granted) {
        if (desc.length() > 0) {
            desc.append(", ");
        }
        desc.append("udp ").append(HostPort.format(bound)).append(" (").append(how).append(", ")
            .append(sockets).append(sockets == 1 ? " socket" : " sockets").append(", SO_RCVBUF ").append(granted)
            .append(" granted of ").append(config.receiveBufferBytes()).append(" asked)");
    }

    @Override
    public void send(final int socket, final InetSocketAddress to, final DirectBuffer buffer, final int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        if (allocationFree) {
            readers.get(socket).send(to, bytes);
            return;
        }
        final Channel ch = channels.get(socket);
        ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to), ch.voidPromise());
    }

    /** The sender's address as an int for choosing its worker; for IPv4 the address itself, as Inet4Address.hashCode(). */
    private static int addressHash(final byte[] address, final int length) {
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = length == 4 ? h << 8 | (address[i] & 0xff) : 31 * h + address[i];
        }
        return h;
    }

    long handlerErrors() {
        return handlerErrors.get();
    }

    @Override
    public void close() {
        for (final RecvmmsgReader r : readers) {
            r.stop();
        }
        for (final Channel ch : channels) {
            ch.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }

    /**
     * One per socket, so its scratch buffers belong to that socket's event-loop thread alone. Datagrams come
     * straight from a {@link RecvmmsgReader} (sender bytes and memory), or as Netty's {@code DatagramPacket}s
     * through a channel's pipeline.
     */
    private final class IngestHandler extends ChannelInboundHandlerAdapter implements RecvmmsgReader.DatagramHandler {
        /** Index of its socket among all listen sockets, handed to the worker with each datagram. */
        private final int socket;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final byte[] heapCopy = new byte[MAX_DATAGRAM];

        IngestHandler(final int socket) {
            if (socket > 255) {
                throw new IllegalArgumentException("at most 256 listen sockets (--listen addresses x --io-threads)");
            }
            this.socket = socket;
        }

        @Override
        public void onDatagram(final byte[] address, final int addressLength, final int port, final long memoryAddress,
                               final int length) {
            if (!config.allow().isEmpty() && !allowed(address, addressLength)) {
                stats.notAllowed.incrementAndGet();
                return;
            }
            view.wrap(memoryAddress, length);
            workers[Math.floorMod(addressHash(address, addressLength) * 0x9E3779B9, workers.length)]
                .offer(socket, address, addressLength, port, view, 0, length);
        }

        @Override
        public void onReadError(final IOException e) {
            handlerErrors.incrementAndGet(); // counted; the socket stays open and is read again
        }

        private boolean allowed(final byte[] address, final int addressLength) {
            for (final Cidr c : config.allow()) {
                if (c.contains(address, addressLength)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                handle(packet);
            } finally {
                packet.release();
            }
        }

        private void handle(final DatagramPacket packet) {
            final InetSocketAddress sender = packet.sender();
            if (!config.allow().isEmpty() && !allowed(sender)) {
                stats.notAllowed.incrementAndGet();
                return;
            }
            final ByteBuf content = packet.content();
            final int length = content.readableBytes();
            if (content.hasMemoryAddress()) {
                view.wrap(content.memoryAddress() + content.readerIndex(), length);
            } else {
                content.getBytes(content.readerIndex(), heapCopy, 0, length);
                view.wrap(heapCopy, 0, length);
            }
            final InetAddress address = sender.getAddress();
            final int h = address instanceof Inet4Address ? address.hashCode() : addressHash(address.getAddress(), 16);
            workers[Math.floorMod(h * 0x9E3779B9, workers.length)].offer(socket, sender, view, 0, length);
        }

        private boolean allowed(final InetSocketAddress sender) {
            for (final Cidr c : config.allow()) {
                if (c.contains(sender.getAddress())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            handlerErrors.incrementAndGet(); // counted, never closes the socket
        }
    }
}

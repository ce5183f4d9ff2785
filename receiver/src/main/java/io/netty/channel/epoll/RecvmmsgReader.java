package io.netty.channel.epoll;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;

/**
 * A UDP socket read in {@code recvmmsg} batches on a Netty epoll event loop, each datagram given to a
 * {@link DatagramHandler} where it lies: sender address bytes, port, memory address, length. Netty's
 * {@code EpollDatagramChannel} makes a {@code DatagramPacket}, the sender's {@code InetSocketAddress} and a
 * buffer slice for every datagram (165 bytes measured), and it is final; this reader allocates nothing per
 * datagram. It is registered with the event loop through Netty 4.2's public I/O-handle API
 * ({@link IoEventLoop#register}, level-triggered {@code EPOLLIN}).
 *
 * <p>It lives in Netty's package because {@link LinuxSocket#recvmmsg} and the {@link NativeDatagramPacketArray}
 * it fills are package-private. The sender's address, port and the datagram's length are fields that
 * Netty's native code writes into each {@code NativeDatagramPacket}; they are private and read through
 * {@link VarHandle}s looked up once. Written against Netty 4.2.18 (pinned in the parent pom): where the
 * lookup fails, {@link #isAvailable()} is false and the receiver reads through Netty's channels instead.
 */
public final class RecvmmsgReader implements EpollIoHandle {
    /** Receives datagrams, on the reader's event loop. */
    public interface DatagramHandler {
        /**
         * One datagram. {@code address[0..addressLength)} is the sender's address: 4 bytes for IPv4 (also when it
         * came IPv4-mapped to a dual-stack socket), 16 for IPv6. The bytes at {@code memoryAddress} and the
         * address array are valid only during the call.
         */
        void onDatagram(byte[] address, int addressLength, int port, long memoryAddress, int length);

        /** A read failed (not "nothing to read"); the reader goes on with the next readiness event. */
        void onReadError(IOException e);
    }

    /** Batches read per readiness event before other work on the loop gets its turn (level-triggered: the rest waits). */
    private static final int MAX_BATCHES_PER_EVENT = 16;

    private static final VarHandle COUNT;
    private static final VarHandle SENDER_ADDRESS;
    private static final VarHandle SENDER_ADDRESS_LENGTH;
    private static final VarHandle SENDER_PORT;
    private static final Throwable UNAVAILABILITY;

    static {
        VarHandle count = null;
        VarHandle senderAddress = null;
        VarHandle senderAddressLength = null;
        VarHandle senderPort = null;
        Throwable unavailability = null;
        try {
            final Class<?> packet = NativeDatagramPacketArray.NativeDatagramPacket.class;
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(packet, MethodHandles.lookup());
            count = lookup.findVarHandle(packet, "count", int.class);
            senderAddress = lookup.findVarHandle(packet, "senderAddr", byte[].class);
            senderAddressLength = lookup.findVarHandle(packet, "senderAddrLen", int.class);
            senderPort = lookup.findVarHandle(packet, "senderPort", int.class);
        } catch (final ReflectiveOperationException | RuntimeException | LinkageError e) {
            unavailability = e;
        }
        COUNT = count;
        SENDER_ADDRESS = senderAddress;
        SENDER_ADDRESS_LENGTH = senderAddressLength;
        SENDER_PORT = senderPort;
        UNAVAILABILITY = unavailability;
    }

    private final LinuxSocket socket;
    private final DatagramHandler handler;
    private final int datagramSize;
    private final int batch;
    private final ByteBuf buffer;
    private final NativeDatagramPacketArray packets = new NativeDatagramPacketArray();
    private final byte[] ipv4 = new byte[4];
    private IoEventLoop loop;
    private IoRegistration registration;

    private RecvmmsgReader(final LinuxSocket socket, final DatagramHandler handler, final int datagramSize, final int batch) {
        this.socket = socket;
        this.handler = handler;
        this.datagramSize = datagramSize;
        this.batch = batch;
        this.buffer = Unpooled.directBuffer(datagramSize * batch);
    }

    /** True where epoll is available and this Netty has the internals the reader uses. */
    public static boolean isAvailable() {
        return UNAVAILABILITY == null && Epoll.isAvailable();
    }

    /**
     * Opens and binds a socket: {@code SO_REUSEPORT} as given, {@code SO_RCVBUF} asked (see
     * {@link #receiveBufferSize()} for what the kernel granted), datagrams of up to {@code datagramSize} bytes,
     * {@code batch} of them per system call.
     */
    public static RecvmmsgReader bind(final InetSocketAddress address, final boolean reusePort, final int receiveBufferBytes,
                                      final int datagramSize, final int batch, final DatagramHandler handler) throws IOException {
        final LinuxSocket socket = LinuxSocket.newSocketDgram(address.getAddress() instanceof Inet6Address);
        try {
            socket.setReusePort(reusePort);
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.bind(address);
            return new RecvmmsgReader(socket, handler, datagramSize, batch);
        } catch (final IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Registers with {@code eventLoop} (an epoll one) and starts reading; waits until it has. */
    public void start(final IoEventLoop eventLoop) throws IOException {
        try {
            loop = eventLoop;
            registration = eventLoop.register(this).sync().getNow();
            eventLoop.submit(() -> registration.submit(EpollIoOps.EPOLLIN)).sync();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while registering " + localAddress(), e);
        } catch (final RuntimeException e) {
            throw new IOException("cannot register " + localAddress() + " with the event loop: " + e.getMessage(), e);
        }
    }

    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    /** SO_RCVBUF as the kernel granted it. */
    public int receiveBufferSize() throws IOException {
        return socket.getReceiveBufferSize();
    }

    /** Sends {@code bytes} from this socket (so that the answer comes from the address the sender wrote to); any thread. */
    public void send(final InetSocketAddress to, final byte[] bytes) {
        loop.execute(() -> {
            final ByteBuf out = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            try {
                socket.sendToAddress(out.memoryAddress(), 0, bytes.length, to.getAddress(), to.getPort());
            } catch (final IOException e) {
                handler.onReadError(e); // counted with the read errors: an unsendable ack is the same kind of trouble
            } finally {
                out.release();
            }
        });
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(final IoRegistration reg, final IoEvent event) {
        try {
            for (int i = 0; i < MAX_BATCHES_PER_EVENT; i++) {
                if (readBatch() < batch) {
                    return; // drained
                }
            }
        } catch (final IOException e) {
            handler.onReadError(e);
        }
    }

    /** One recvmmsg; returns how many datagrams it read. */
    private int readBatch() throws IOException {
        packets.clear();
        for (int i = 0; i < batch; i++) {
            packets.addWritable(buffer, i * datagramSize, datagramSize);
        }
        final NativeDatagramPacketArray.NativeDatagramPacket[] read = packets.packets();
        final int received = socket.recvmmsg(read, 0, packets.count());
        final long base = buffer.memoryAddress();
        for (int i = 0; i < received; i++) {
            final NativeDatagramPacketArray.NativeDatagramPacket p = read[i];
            final byte[] address = (byte[]) SENDER_ADDRESS.get(p);
            final int addressLength = (int) SENDER_ADDRESS_LENGTH.get(p);
            final int port = (int) SENDER_PORT.get(p);
            final int length = (int) COUNT.get(p);
            final long at = base + (long) i * datagramSize;
            if (addressLength == 16 && isIpv4Mapped(address)) {
                System.arraycopy(address, 12, ipv4, 0, 4);
                handler.onDatagram(ipv4, 4, port, at, length);
            } else {
                handler.onDatagram(address, addressLength, port, at, length);
            }
        }
        return received;
    }

    private static boolean isIpv4Mapped(final byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** Stops reading and closes the socket; from any thread, waits for the event loop. */
    public void stop() {
        if (loop == null) {
            closeQuietly();
            return;
        }
        try {
            loop.submit(() -> {
                if (registration != null) {
                    registration.cancel();
                }
                closeQuietly();
            }).get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final ExecutionException | RuntimeException e) {
            closeQuietly(); // the loop is gone: close here
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (final IOException ignored) {
            // closing a UDP socket does not fail in a way worth reporting
        }
        if (buffer.refCnt() > 0) {
            buffer.release();
            packets.release();
        }
    }
}

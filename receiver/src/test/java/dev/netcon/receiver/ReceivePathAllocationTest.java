package dev.netcon.receiver;

import dev.netcon.protocol.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive path allocates nothing per datagram once warm: neither the I/O thread (recvmmsg straight into a
 * reused buffer, {@code RecvmmsgReader}) nor the worker's path after it (hand-off ring → decode → order →
 * account → format → store). The few KB each thread shows over 200 000 datagrams are once-a-second work (the
 * line formatter's date).
 */
class ReceivePathAllocationTest {
    private static final int WARMUP = 100_000;
    private static final int MEASURED = 200_000;

    @Test
    void shouldNotAllocatePerDatagramOnTheIoOrTheWorkerThread(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), false,
            c.allow(), 1, 1, c.queueBytesPerWorker(), c.receiveBufferBytes(), c.maxSources(), c.idleTimeoutNs(), 0, 0,
            c.gapTimeoutNs(), c.windowSize(), 10, c.store()));
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final Thread worker = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("netcon-worker-0")).findFirst().orElseThrow();
            final Thread io = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("netcon-udp-")).findFirst().orElseThrow(); // the one UDP I/O thread
            final FrameEncoder encoder = new FrameEncoder();
            final UnsafeBuffer buf = new UnsafeBuffer(new byte[1000]);
            final DatagramPacket packet = new DatagramPacket(buf.byteArray(), 0, rx.udp());
            final long[] seq = {1};
            final Runnable send = () -> {
                final int n = encoder.wrap(buf, 0, 1000).header((String) null, 14, seq[0]++, 1000, (byte) '-')
                    .text("a hundred-byte log record of the kind an application writes all day long........")
                    .dict("host", "alloc").finish();
                packet.setLength(n);
                try {
                    socket.send(packet);
                } catch (final java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            sendPaced(send, WARMUP, rx, WARMUP);
            final long before = threads.getThreadAllocatedBytes(worker.getId());
            final long ioBefore = threads.getThreadAllocatedBytes(io.getId());
            sendPaced(send, MEASURED, rx, WARMUP + MEASURED);
            final long allocated = threads.getThreadAllocatedBytes(worker.getId()) - before;
            final long ioAllocated = threads.getThreadAllocatedBytes(io.getId()) - ioBefore;
            final SourceStats s = rx.receiver.stats().totals();
            System.out.println("worker thread allocated " + allocated + " bytes for " + MEASURED + " datagrams; I/O thread "
                + ioAllocated + " bytes (" + ioAllocated / MEASURED + " per datagram)");
            assertThat(ioAllocated).as("bytes allocated by the I/O thread for %d datagrams", MEASURED).isLessThan(MEASURED / 10);
            // The once-a-second date stamp of the line formatter is the only allocation left.
            assertThat(allocated).as("bytes allocated by the worker for %d datagrams", MEASURED)
                .isLessThan(MEASURED / 10);
            assertThat(s.delivered + s.missing).isEqualTo(WARMUP + MEASURED);
        }
    }

    /** Sends in bursts the worker keeps up with, then waits until all are accounted. */
    private static void sendPaced(final Runnable send, final int count, final ReceiverHarness rx, final long total) throws Exception {
        for (int i = 0; i < count; i++) {
            send.run();
            if (i % 2000 == 1999) {
                final long target = total - count + i + 1;
                ReceiverHarness.await(() -> {
                    final SourceStats t = rx.receiver.stats().totals();
                    return t.delivered + t.missing >= target - 1000;
                });
            }
        }
        ReceiverHarness.await(() -> {
            final SourceStats t = rx.receiver.stats().totals();
            return t.delivered + t.missing == total;
        });
    }
}

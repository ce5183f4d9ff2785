package dev.netcon.receiver;

import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.NcrxMessage;
import dev.netcon.protocol.testing.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reliable mode: a sender that resends what the receiver's ncrx acks name loses nothing under 10% loss. */
class ReliableModeTest {
    private static final int RECORDS = 500;

    @Test
    void shouldLoseNothingUnderTenPercentLoss(@TempDir final Path dir) throws Exception {
        Seeds.forEachSeed(1, seed -> {
            try {
                run(dir.resolve(Long.toString(seed)), new Random(seed));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * The acks of a burst's last records are held back by the ack interval; with nothing arriving after them, the
     * held-back ack must still go out, or a sender waits for its emergency resends to learn they arrived.
     */
    @Test
    void shouldAcknowledgeTheEndOfABurstAfterTheAckInterval(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), true,
            c.allow(), 1, 1, c.queueBytesPerWorker(), c.receiveBufferBytes(), c.maxSources(), c.idleTimeoutNs(), 0, 0,
            c.gapTimeoutNs(), 256, 10, c.store()));
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final FrameEncoder encoder = new FrameEncoder();
            final UnsafeBuffer buf = new UnsafeBuffer(new byte[1000]);
            for (int seq = 1; seq <= 50; seq++) { // well within one 100 ms ack interval
                final int n = encoder.wrap(buf, 0, 1000).header((String) null, 14, seq, seq, (byte) '-')
                    .text("burst " + seq).dict("host", "burst").finish();
                ReceiverHarness.send(socket, rx.udp(), Arrays.copyOf(buf.byteArray(), n));
            }
            socket.setSoTimeout(2000);
            final byte[] ackBytes = new byte[1000];
            final NcrxMessage ack = new NcrxMessage();
            long acked = 0;
            while (acked < 50) {
                final DatagramPacket p = new DatagramPacket(ackBytes, ackBytes.length);
                socket.receive(p); // times out (fails) if the last ack never comes
                assertThat(ack.parse(new UnsafeBuffer(ackBytes), 0, p.getLength())).isTrue();
                acked = Math.max(acked, ack.acked());
            }
            assertThat(acked).isEqualTo(50);
        }
    }

    private void run(final Path dir, final Random rnd) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), true,
            c.allow(), 1, 2, c.queueBytesPerWorker(), c.receiveBufferBytes(), c.maxSources(), c.idleTimeoutNs(), 0, 0,
            TimeUnit.SECONDS.toNanos(30), 1024, 10, c.store())); // the window covers the whole burst
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final byte[][] frames = new byte[RECORDS + 1][];
            final FrameEncoder encoder = new FrameEncoder();
            final UnsafeBuffer buf = new UnsafeBuffer(new byte[1000]);
            for (int seq = 1; seq <= RECORDS; seq++) {
                final int n = encoder.wrap(buf, 0, 1000).header((String) null, 14, seq, seq, (byte) '-')
                    .text("reliable " + seq).dict("host", "reliable").finish();
                frames[seq] = Arrays.copyOf(buf.byteArray(), n);
            }
            int lost = 0;
            for (int seq = 1; seq <= RECORDS; seq++) {
                if (seq > 1 && rnd.nextInt(100) < 10) {
                    lost++;
                    continue; // injected loss on the first transmission
                }
                ReceiverHarness.send(socket, rx.udp(), frames[seq]);
            }
            // Every resend is counted, whether an ack named it or it pushes the tail: each lost seq needs one.
            // Answer acks: resend every missing seq named (each resend lost with 10% too) until all is acked.
            socket.setSoTimeout(200);
            final byte[] ackBytes = new byte[1000];
            final NcrxMessage ack = new NcrxMessage();
            long acked = 0;
            int retransmitted = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked < RECORDS && System.nanoTime() < deadline) {
                final DatagramPacket p = new DatagramPacket(ackBytes, ackBytes.length);
                try {
                    socket.receive(p);
                } catch (final SocketTimeoutException e) {
                    retransmitted++;
                    ReceiverHarness.send(socket, rx.udp(), frames[(int) Math.min(RECORDS, acked + 1)]); // nudge: get an ack
                    continue;
                }
                assertThat(ack.parse(new UnsafeBuffer(ackBytes), 0, p.getLength())).isTrue();
                acked = Math.max(acked, ack.acked());
                for (int i = 0; i < ack.missingCount(); i++) {
                    retransmitted++;
                    if (rnd.nextInt(100) >= 10) {
                        ReceiverHarness.send(socket, rx.udp(), frames[(int) ack.missing(i)]);
                    }
                }
                if (ack.missingCount() == 0 && acked < RECORDS) {
                    retransmitted++; // the tail was lost: the receiver cannot name seqs it never heard of
                    ReceiverHarness.send(socket, rx.udp(), frames[(int) acked + 1]);
                }
            }
            assertThat(lost).isPositive();
            assertThat(retransmitted).isGreaterThanOrEqualTo(lost);
            final String key = "127.0.0.1:" + socket.getLocalPort();
            ReceiverHarness.await(() -> rx.receiver.stats().sources.get(key).delivered == RECORDS);
            final SourceStats s = rx.receiver.stats().sources.get(key);
            assertThat(s.missing).isZero();
            assertThat(s.delivered).isEqualTo(RECORDS);
        }
    }
}

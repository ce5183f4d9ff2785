package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code netcon send --reliable} to {@code netcon receive --reliable}, both real processes, through a relay that
 * loses every 10th datagram the first time it is sent: the receiver's ncrx answers get every record delivered.
 */
class ReliableSendIT {
    /** A UDP relay between one sender and the receiver: impairs what the sender sends, forwards the answers back. */
    static final class LossyRelay implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final AtomicInteger dropped = new AtomicInteger();
        final AtomicInteger answers = new AtomicInteger();
        private final InetSocketAddress receiver;
        private final Set<String> seen = new HashSet<>();
        private final Thread thread = new Thread(this::run, "lossy-relay");
        private volatile boolean running = true;
        private SocketAddress sender;
        private int firstSights;

        LossyRelay(final InetSocketAddress receiver) throws Exception {
            this.receiver = receiver;
            socket.setSoTimeout(50);
            socket.setReceiveBufferSize(8 << 20);
            thread.start();
        }

        private void run() {
            final byte[] buf = new byte[65536];
            while (running) {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    if (p.getSocketAddress().equals(receiver)) {
                        answers.incrementAndGet(); // ncrx: back to the sender
                        if (sender != null) {
                            socket.send(new DatagramPacket(p.getData(), p.getLength(), sender));
                        }
                        continue;
                    }
                    sender = p.getSocketAddress();
                    final String datagram = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                    if (seen.add(datagram) && ++firstSights % 10 == 0) {
                        dropped.incrementAndGet(); // lost the first time; a resend is seen again and goes through
                        continue;
                    }
                    socket.send(new DatagramPacket(p.getData(), p.getLength(), receiver));
                } catch (final SocketTimeoutException e) {
                    // look at running again
                } catch (final Exception e) {
                    return;
                }
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join();
            socket.close();
        }
    }

    @Test
    void shouldDeliverEveryRecordThroughALossyRelay(@TempDir final Path dir) throws Exception {
        final int records = 1000;
        // A window covering the whole burst and a long gap timeout: holes wait for their resends.
        final ReceiverProcessIT.Running rx = ReceiverProcessIT.start(dir, "--reliable", "--window", "4096", "--gap-timeout", "20000");
        try (LossyRelay relay = new LossyRelay(new InetSocketAddress("127.0.0.1", rx.udpPort()))) {
            final Process send = SendProcessIT.send("--reliable", "--reliable-emergency-after", "1", "--transport", "nio",
                "--target", "127.0.0.1:" + relay.port(), "--hostname", "reliable-1");
            final StringBuilder in = new StringBuilder();
            for (int i = 1; i <= records; i++) {
                in.append("reliable line ").append(i).append('\n');
            }
            send.getOutputStream().write(in.toString().getBytes(StandardCharsets.UTF_8));
            send.getOutputStream().close();
            assertThat(send.waitFor(90, TimeUnit.SECONDS)).isTrue();
            final String err = new String(send.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(send.exitValue()).as(err).isZero();
            // It waited for the acks before exiting: the lost last records were resent in emergency mode.
            assertThat(err).as(err).contains("written " + records + ",").contains("acked up to " + records + ",")
                .doesNotContain("not every record was acknowledged");
            assertThat(relay.dropped.get()).isGreaterThanOrEqualTo(records / 10);
            assertThat(relay.answers.get()).isPositive();

            ReceiverProcessIT.awaitDelivered(rx.httpPort(), records);
            final LauncherIT.Result stats = LauncherIT.netcon("stats", "--http", "127.0.0.1:" + rx.httpPort(), "--json");
            assertThat(stats.exit()).isZero();
            @SuppressWarnings("unchecked")
            final Map<String, Object> totals = (Map<String, Object>) MiniJson.object(stats.out()).get("totals");
            assertThat(totals).containsEntry("delivered", (long) records).containsEntry("missing", 0L)
                .containsEntry("lostInTransit", 0L).containsEntry("droppedAtSource", 0L);
            final long resent = Long.parseLong(err.replaceAll("(?s).*retransmitted (\\d+), emergency resends (\\d+).*", "$1"))
                + Long.parseLong(err.replaceAll("(?s).*retransmitted (\\d+), emergency resends (\\d+).*", "$2"));
            assertThat(resent).isGreaterThanOrEqualTo(relay.dropped.get());
        } finally {
            rx.process().destroy();
            rx.process().waitFor(20, TimeUnit.SECONDS);
        }
    }
}

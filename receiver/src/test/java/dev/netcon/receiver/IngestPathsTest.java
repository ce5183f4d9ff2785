package dev.netcon.receiver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way the receiver can read datagrams (-Dnetcon.udp.read) delivers the same: the default recvmmsg reader,
 * Netty's epoll channel (the fallback where the reader cannot work with the Netty on the class path) and NIO
 * (elsewhere than Linux), with one socket or several sharing the port (SO_REUSEPORT, one per I/O thread):
 * records from several sources, an allow list, and reliable-mode acks from the port.
 */
class IngestPathsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(UdpIngest.READ_PROPERTY);
    }

    @ParameterizedTest(name = "{0}, {1} I/O thread(s)")
    @CsvSource({"auto,1", "auto,2", "epoll-channel,1", "epoll-channel,2", "nio,1"})
    void shouldDeliverAllowAndAcknowledgeOnEveryReadPath(final String read, final int ioThreads, @TempDir final Path dir)
        throws Exception {
        System.setProperty(UdpIngest.READ_PROPERTY, read);
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), true,
                 List.of(Cidr.parse("127.0.0.1/32")), ioThreads, c.workers(), c.queueBytesPerWorker(), c.receiveBufferBytes(),
                 c.maxSources(), c.idleTimeoutNs(), c.rateLimitRecords(), c.rateLimitBytes(), c.gapTimeoutNs(), c.windowSize(),
                 c.metricsSourceLimit(), c.store()));
             DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket outside = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            assertThat(rx.receiver.describe()).contains(switch (read) {
                case "nio" -> "(nio,";
                case "epoll-channel" -> "(epoll,";
                default -> "(epoll, recvmmsg";
            }).contains(ioThreads == 1 ? ", 1 socket," : ", " + ioThreads + " sockets,"); // SO_REUSEPORT, one per thread
            for (int seq = 1; seq <= 50; seq++) {
                ReceiverHarness.send(a, rx.udp(), frame(seq, "a"));
                ReceiverHarness.send(b, rx.udp(), frame(seq, "b"));
            }
            ReceiverHarness.send(outside, rx.udp(), frame(1, "outside"));
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 100 && rx.receiver.stats().notAllowed() == 1);
            // reliable mode: the receiver answers from its port with an ncrx ack
            a.setSoTimeout(10_000);
            final java.net.DatagramPacket ack = new java.net.DatagramPacket(new byte[1500], 1500);
            a.receive(ack);
            assertThat(ack.getPort()).isEqualTo(rx.udp().getPort());
            assertThat(new String(ack.getData(), 0, ack.getLength(), StandardCharsets.US_ASCII)).startsWith("ncrx");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll-channel", "nio"})
    void shouldAnswerFromTheAddressTheSenderWroteTo(final String read, @TempDir final Path dir) throws Exception {
        System.setProperty(UdpIngest.READ_PROPERTY, read);
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(
                 List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.2", 0)), c.http(), c.dataDir(),
                 true, c.allow(), c.ioThreads(), c.workers(), c.queueBytesPerWorker(), c.receiveBufferBytes(), c.maxSources(),
                 c.idleTimeoutNs(), c.rateLimitRecords(), c.rateLimitBytes(), c.gapTimeoutNs(), c.windowSize(),
                 c.metricsSourceLimit(), c.store()));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final InetSocketAddress second = rx.receiver.udpAddresses().get(1);
            assertThat(second.getAddress().getHostAddress()).isEqualTo("127.0.0.2");
            ReceiverHarness.send(sender, second, frame(1, "multi"));
            sender.setSoTimeout(10_000);
            final java.net.DatagramPacket ack = new java.net.DatagramPacket(new byte[1500], 1500);
            sender.receive(ack);
            // a sender takes acks only from the address it sends to (netconsd's ncrx, netcon's ReliableLink)
            assertThat(ack.getSocketAddress()).isEqualTo(second);
        }
    }

    private static byte[] frame(final long seq, final String host) {
        return ("6," + seq + ",1000,-;record " + seq + "\n host=" + host + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}

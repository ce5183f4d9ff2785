package dev.netcon.receiver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver on the IPv6 wildcard (the default listen address) takes IPv4 senders too, which arrive as
 * IPv4-mapped addresses: they must be the same sources, named and allowed as IPv4, as on an IPv4 socket.
 */
class DualStackTest {
    private static UnaryOperator<ReceiverConfig> listenOnIpv6Wildcard(final List<Cidr> allow) {
        return c -> new ReceiverConfig(List.of(new InetSocketAddress("::", 0)), c.http(), c.dataDir(), c.reliable(), allow,
            c.ioThreads(), c.workers(), c.queueBytesPerWorker(), c.receiveBufferBytes(), c.maxSources(), c.idleTimeoutNs(),
            c.rateLimitRecords(), c.rateLimitBytes(), c.gapTimeoutNs(), c.windowSize(), c.metricsSourceLimit(), c.store());
    }

    @Test
    void shouldSeeIpv4SendersAsIpv4OnADualStackSocket(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, listenOnIpv6Wildcard(List.of()));
             DatagramSocket v4 = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket v6 = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            final int port = rx.udp().getPort();
            ReceiverHarness.send(v4, new InetSocketAddress("127.0.0.1", port), frame(1, "four"));
            ReceiverHarness.send(v6, new InetSocketAddress(InetAddress.getByName("::1"), port), frame(1, "six"));
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 2);
            final String stats = rx.get("/stats");
            assertThat(stats).contains("\"host\":\"four\",\"source\":\"127.0.0.1:" + v4.getLocalPort() + "\"")
                .contains("\"host\":\"six\",\"source\":\"[0:0:0:0:0:0:0:1]:" + v6.getLocalPort() + "\"");
            ReceiverHarness.await(() -> rx.storedLines("four") == 1); // on disk after the next flush
            assertThat(rx.lines("four")).singleElement().asString().contains("\t127.0.0.1:" + v4.getLocalPort() + "\t");
        }
    }

    @Test
    void shouldApplyAnIpv4AllowListToMappedSenders(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, listenOnIpv6Wildcard(List.of(Cidr.parse("127.0.0.0/8"))));
             DatagramSocket v4 = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket v6 = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            final int port = rx.udp().getPort();
            ReceiverHarness.send(v6, new InetSocketAddress(InetAddress.getByName("::1"), port), frame(1, "six"));
            ReceiverHarness.send(v4, new InetSocketAddress("127.0.0.1", port), frame(1, "four"));
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 1);
            ReceiverHarness.await(() -> rx.receiver.stats().notAllowed() == 1);
            assertThat(rx.get("/stats")).contains("\"host\":\"four\"").doesNotContain("\"host\":\"six\"");
        }
    }

    private static byte[] frame(final long seq, final String host) {
        return ("6," + seq + ",1000,-;hello from " + host + "\n host=" + host + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}

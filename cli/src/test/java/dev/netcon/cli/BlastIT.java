package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** blast → receive → stats: the receiver's accounting matches what blast says it did. */
class BlastIT {
    @Test
    @SuppressWarnings("unchecked")
    void shouldBeAccountedExactlyByTheReceiver(@TempDir final Path dir) throws Exception {
        final ReceiverProcessIT.Running rx = ReceiverProcessIT.start(dir, "--gap-timeout", "300");
        try {
            final LauncherIT.Result blast = LauncherIT.netcon("blast", "--target", "127.0.0.1:" + rx.udpPort(), "--hosts", "5",
                "--records", "2000", "--loss", "0.03", "--dup", "0.01", "--reorder", "0.02", "--rate", "20000", "--seed", "7",
                "--hostname-prefix", "blast", "--json");
            assertThat(blast.exit()).isZero();
            assertThat(blast.err()).doesNotContain("["); // no progress bar when stderr is not a terminal
            final Map<String, Object> sent = MiniJson.object(blast.out());
            final List<Map<String, Object>> hosts = (List<Map<String, Object>>) sent.get("hosts");
            final long total = ((Number) ((Map<String, Object>) sent.get("totals")).get("records")).longValue();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Map<String, Object> stats;
            do {
                Thread.sleep(100);
                stats = MiniJson.object(LauncherIT.netcon("stats", "--http", "127.0.0.1:" + rx.httpPort(), "--json").out());
                final Map<String, Object> t = (Map<String, Object>) stats.get("totals");
                if (((Number) t.get("delivered")).longValue() + ((Number) t.get("missing")).longValue() == total) {
                    break;
                }
            } while (System.nanoTime() < deadline);
            final Map<String, Object> t = (Map<String, Object>) stats.get("totals");
            // socketOverflows counts the whole network namespace (other processes too): a diagnostic, not an assertion.
            final long overflows = ((Number) t.get("socketOverflows")).longValue();
            for (final Map<String, Object> h : hosts) {
                final Map<String, Object> s = ((List<Map<String, Object>>) stats.get("sources")).stream()
                    .filter(x -> x.get("host").equals(h.get("host"))).findFirst().orElseThrow();
                assertThat(s.get("source")).as("each simulated host has its own loopback address").isEqualTo(h.get("source"));
                assertThat((String) h.get("source")).startsWith("127.1.0.");
                assertThat(s.get("missing")).as("%s missing (socket overflows in this namespace: %d)", h.get("host"), overflows).isEqualTo(h.get("lost"));
                assertThat(((Number) s.get("delivered")).longValue()).isEqualTo(((Number) h.get("sent")).longValue());
                assertThat(s.get("duplicates")).isEqualTo(h.get("duplicated"));
                assertThat(s.get("lostInTransit")).isEqualTo(h.get("lost"));
            }
        } finally {
            rx.process().destroy();
            rx.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldShowAProgressBarOnATerminalOnly() throws Exception {
        try (DatagramChannel sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            final int port = ((InetSocketAddress) sink.getLocalAddress()).getPort();
            final String args = "blast --target 127.0.0.1:" + port + " --records 30000 --rate 20000 --hostname-prefix tty";
            final String onTty = LauncherIT.onTerminal(args, java.util.Map.of());
            assertThat(onTty).contains("\r[#").contains("#] 100%").contains("TOTAL"); // redrawn in place
            final LauncherIT.Result piped = LauncherIT.netcon(args.split(" "));
            assertThat(piped.exit()).isZero();
            assertThat(piped.err()).doesNotContain("%");
            assertThat(piped.out()).contains("TOTAL");
        }
    }
}

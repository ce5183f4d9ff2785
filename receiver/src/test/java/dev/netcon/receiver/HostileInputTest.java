package dev.netcon.receiver;

import dev.netcon.protocol.FrameError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the network can throw at the receiver: counted by reason, never a crash, never a path outside the data dir. */
class HostileInputTest {
    private static final Map<FrameError, String> CORPUS = new EnumMap<>(Map.ofEntries(
        Map.entry(FrameError.EMPTY, ""),
        Map.entry(FrameError.NO_HEADER, "6,1,0,-"),
        Map.entry(FrameError.TRUNCATED, "6,1,0;x"),
        Map.entry(FrameError.BAD_NUMBER, "6,1,12a,-;x"),
        Map.entry(FrameError.BAD_PREFIX, "1024,1,0,-;x"),
        Map.entry(FrameError.SEQ_OVERFLOW, "6,18446744073709551616,0,-;x"),
        Map.entry(FrameError.BAD_FLAG, "6,1,0,x;x"),
        Map.entry(FrameError.BAD_FIELD, "6,1,0,-,=1;x"),
        Map.entry(FrameError.BAD_RELEASE, "r".repeat(65) + ",6,1,0,-;x"),
        Map.entry(FrameError.BAD_ESCAPE, "6,1,0,-;bad \\xzz"),
        Map.entry(FrameError.BAD_DICTIONARY, "6,1,0,-;ok\nnot a dict line"),
        Map.entry(FrameError.FRAGMENT_OUT_OF_RANGE, "6,1,0,-,ncfrag=5/3;xx"),
        Map.entry(FrameError.OVERSIZE, "6,1,0,-,ncfrag=0/99999999;x")));

    @Test
    void shouldCountEveryRejectionReason(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> c);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (final String frame : CORPUS.values()) {
                ReceiverHarness.send(socket, rx.udp(), frame.getBytes(StandardCharsets.ISO_8859_1));
            }
            // Inconsistent fragments: the second disagrees with the first on the total.
            ReceiverHarness.send(socket, rx.udp(), "6,9,0,-,ncfrag=0/10;hello".getBytes(StandardCharsets.US_ASCII));
            ReceiverHarness.send(socket, rx.udp(), "6,9,0,-,ncfrag=5/11;world".getBytes(StandardCharsets.US_ASCII));
            // and a good record after all that
            ReceiverHarness.send(socket, rx.udp(), "6,1,0,-;still alive\n".getBytes(StandardCharsets.US_ASCII));
            final String key = "127.0.0.1:" + socket.getLocalPort();
            ReceiverHarness.await(() -> {
                final SourceStats s = rx.receiver.stats().sources.get(key);
                return s != null && s.malformed() == CORPUS.size() + 1 && s.delivered == 1;
            });
            final SourceStats s = rx.receiver.stats().sources.get(key);
            for (final FrameError e : CORPUS.keySet()) {
                assertThat(s.malformedByReason[e.ordinal()]).as(e.metricName()).isEqualTo(1);
            }
            assertThat(s.malformedByReason[FrameError.FRAGMENT_INCONSISTENT.ordinal()]).isEqualTo(1);
            final String stats = rx.get("/stats");
            assertThat(stats).contains("\"bad_escape\":1").contains("\"fragment_inconsistent\":1");
            assertThatMetricsMatchStats(rx);
        }
    }

    @Test
    void shouldKeepHostileHostNamesInsideTheDataDir(@TempDir final Path dir) throws Exception {
        final Path data = dir.resolve("data");
        final List<String> names = List.of("../../escape", "/etc/passwd", "..", ".", "a/b", "tab\\x09name", "x".repeat(300),
            "nul\\x00byte", "\\xc3\\xa9t\\xc3\\xa9");
        try (ReceiverHarness rx = new ReceiverHarness(data, c -> c)) {
            int seq = 1;
            for (final String name : names) {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    ReceiverHarness.send(socket, rx.udp(), ("6," + seq++ + ",0,-;hello\n host=" + name + "\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == names.size());
            rx.close();
            try (Stream<Path> all = Files.walk(dir)) {
                final List<Path> files = all.filter(Files::isRegularFile).toList();
                assertThat(files).hasSize(names.size() - 1); // ".." and "." both become "_"
                for (final Path f : files) {
                    assertThat(f.toAbsolutePath().normalize()).startsWith(data.toAbsolutePath());
                    assertThat(f.getParent().getParent()).isEqualTo(data);
                    assertThat(f.getParent().getFileName().toString()).matches("[A-Za-z0-9._-]{1,64}").isNotIn(".", "..");
                }
            }
        }
    }

    @Test
    void shouldBoundTheSourcesItKeeps(@TempDir final Path dir) throws Exception {
        final int maxSources = 100;
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), false,
            c.allow(), 1, 2, c.queueBytesPerWorker(), c.receiveBufferBytes(), maxSources, c.idleTimeoutNs(), 0, 0,
            c.gapTimeoutNs(), c.windowSize(), 10, c.store()))) {
            final byte[] frame = "6,1,0,-;spoofed\n".getBytes(StandardCharsets.US_ASCII);
            int sent = 0;
            for (int a = 1; a <= 20; a++) {
                for (int i = 0; i < 100; i++) {
                    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0." + a, 0))) {
                        ReceiverHarness.send(socket, rx.udp(), frame);
                        sent++;
                    }
                }
            }
            final int total = sent;
            // The kernel may hand a closed socket's port to a later one: that source still exists, so its
            // "seq 1" is a duplicate. Every datagram is accounted either way.
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered + rx.receiver.stats().totals().duplicates == total);
            final long distinct = rx.receiver.stats().totals().delivered;
            assertThat(rx.receiver.stats().sourceCount()).isLessThanOrEqualTo(maxSources);
            assertThat(rx.receiver.stats().sourcesEvicted.get() + rx.receiver.stats().sourceCount()).isEqualTo(distinct);
            final String metrics = rx.get("/metrics");
            assertThat(metrics.lines().filter(l -> l.startsWith("netcon_receiver_source_delivered{"))).hasSizeLessThanOrEqualTo(10);
            assertThatMetricsMatchStats(rx);
        }
    }

    /**
     * 100,000 distinct sources (each its own loopback address) with --max-sources 1000: the receiver keeps at
     * most 1000, and its heap after a full GC grows by no more than the bound below once it is at that size.
     */
    @Test
    void shouldKeepHeapBoundedUnderAFloodOfDistinctSources(@TempDir final Path dir) throws Exception {
        final int maxSources = 1000;
        final int flood = 100_000;
        final long bound = 4L << 20; // measured growth is far below; a leak of even 40 bytes per source exceeds it
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> new ReceiverConfig(c.listen(), c.http(), c.dataDir(), false,
            c.allow(), 1, 2, c.queueBytesPerWorker(), c.receiveBufferBytes(), maxSources, c.idleTimeoutNs(), 0, 0,
            c.gapTimeoutNs(), c.windowSize(), 10, c.store()))) {
            final byte[] frame = "6,1,0,-;flood\n host=flood".getBytes(StandardCharsets.US_ASCII);
            sendFromDistinctSources(rx, frame, 0, 3 * maxSources); // warm-up: the receiver reaches its full size
            final long before = heapAfterGc();
            sendFromDistinctSources(rx, frame, 3 * maxSources, flood);
            final long after = heapAfterGc();
            System.out.printf("heap after GC: %d -> %d bytes (%+d) for %d more sources; %d kept, %d evicted%n", before, after,
                after - before, flood - 3 * maxSources, rx.receiver.stats().sourceCount(), rx.receiver.stats().sourcesEvicted.get());
            assertThat(rx.receiver.stats().sourceCount()).isLessThanOrEqualTo(maxSources);
            assertThat(after - before).as("heap growth over %d distinct sources", flood).isLessThanOrEqualTo(bound);
        }
    }

    /** Sends one frame from each of sources [from, to), pacing itself on what the receiver has taken. */
    private static void sendFromDistinctSources(final ReceiverHarness rx, final byte[] frame, final int from, final int to)
        throws Exception {
        for (int i = from; i < to; i++) {
            final String address = "127." + (1 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
                ReceiverHarness.send(socket, rx.udp(), frame);
            }
            if ((i + 1) % 1000 == 0) {
                final long sent = i + 1;
                final long deadline = System.nanoTime() + 60_000_000_000L;
                while (accounted(rx) < sent - 2000 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            }
        }
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (accounted(rx) < to && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(accounted(rx)).as("datagrams the receiver took").isEqualTo(to);
    }

    private static long accounted(final ReceiverHarness rx) {
        final SourceStats t = rx.receiver.stats().totals();
        return t.delivered + t.duplicates;
    }

    private static long heapAfterGc() throws InterruptedException {
        final java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    static void assertThatMetricsMatchStats(final ReceiverHarness rx) throws Exception {
        final String metrics = rx.get("/metrics");
        final SourceStats t = rx.receiver.stats().totals();
        assertThat(metric(metrics, "netcon_receiver_records_delivered_total")).isEqualTo(t.delivered);
        assertThat(metric(metrics, "netcon_receiver_records_missing_total")).isEqualTo(t.missing);
        assertThat(metric(metrics, "netcon_receiver_records_duplicates_total")).isEqualTo(t.duplicates);
        long malformed = 0;
        for (final String l : metrics.lines().toList()) {
            if (l.startsWith("netcon_receiver_malformed_total{")) {
                malformed += (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        assertThat(malformed).isEqualTo(t.malformed());
        final String stats = rx.get("/stats");
        assertThat(stats).contains("\"delivered\":" + t.delivered + ",");
    }

    private static long metric(final String text, final String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1)))
            .findFirst().orElseThrow(() -> new AssertionError("no metric " + name + " in\n" + text));
    }
}

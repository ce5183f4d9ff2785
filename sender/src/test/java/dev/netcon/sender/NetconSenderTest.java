package dev.netcon.sender;

import dev.netcon.protocol.testing.Allocations;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sender against a real UDP socket on loopback, decoded with the protocol module. */
class NetconSenderTest {
    @Test
    void shouldDeliverExactlyWhatOneThreadWrote() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName("web-1").build()) {
            for (int i = 1; i <= 2000; i++) {
                assertThat(sender.write(i % 8, "record " + i + " tab\there \u00e9", "logger", "com.example.App")).isTrue();
                if (i % 200 == 0) {
                    assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
                }
            }
            final String big = "x".repeat(2500) + "\\end"; // fragmented into 3 datagrams
            assertThat(sender.write(NetconSender.LEVEL_ERR, big)).isTrue();
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 2001);
            final List<LoopbackReceiver.Received> got = rx.finish();
            for (int i = 0; i < 2000; i++) {
                final LoopbackReceiver.Received r = got.get(i);
                assertThat(r.seq()).isEqualTo(i + 1);
                assertThat(r.level()).isEqualTo((i + 1) % 8);
                assertThat(r.text()).isEqualTo("record " + (i + 1) + " tab\there \u00e9");
                assertThat(r.dict()).containsEntry("host", "web-1").containsEntry("logger", "com.example.App");
            }
            assertThat(got.get(2000).text()).isEqualTo(big);
            assertThat(rx.missing).isEmpty();
            final SenderStats stats = sender.stats();
            assertThat(stats.written()).isEqualTo(2001);
            assertThat(stats.sentRecords()).isEqualTo(2001);
            assertThat(stats.fragmented()).isEqualTo(1);
            assertThat(stats.sentDatagrams()).isEqualTo(2000 + 3);
            assertThat(stats.dropped()).isZero();
        }
    }

    @Test
    void shouldAddUserdataFieldsToEveryRecord() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName("web-1")
                 .userdata("dc", "lab-7").userdata("rack", "r 12\tb").build()) {
            sender.write(NetconSender.LEVEL_INFO, "with userdata", "logger", "app");
            final org.agrona.concurrent.UnsafeBuffer raw = new org.agrona.concurrent.UnsafeBuffer(
                "raw bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sender.write(NetconSender.LEVEL_WARNING, raw, 0, raw.capacity());
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 2);
            final List<LoopbackReceiver.Received> got = rx.finish();
            for (final LoopbackReceiver.Received r : got) {
                assertThat(r.dict()).containsEntry("host", "web-1").containsEntry("dc", "lab-7").containsEntry("rack", "r 12\tb");
            }
            assertThat(got.get(0).text()).isEqualTo("with userdata");
            assertThat(got.get(0).dict()).containsEntry("logger", "app");
            assertThat(got.get(1).text()).isEqualTo("raw bytes");
        }
        assertThatThrownBy(() -> NetconSender.builder().userdata("bad key", "x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad key");
    }

    @Test
    void shouldDeliverContiguousSeqsFromEightThreads() throws Exception {
        final int threads = 8;
        final int perThread = 2000;
        final java.util.concurrent.atomic.AtomicLong writtenSoFar = new java.util.concurrent.atomic.AtomicLong();
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).ringCapacity(8 << 20)
                 .idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy()).build()) {
            // A writer descheduled between taking its seq and committing its record sends that seq late, after
            // thousands of others on two cores: the receiver's window covers the whole run (docs/sender.md, Limits).
            final List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int id = t;
                writers.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        while (!sender.write(NetconSender.LEVEL_INFO, "thread " + id + " record " + i)) {
                            Thread.onSpinWait(); // not expected with an 8 MiB ring; the seq would show as a gap
                        }
                        if (i % 100 == 0) {
                            // Paced on what the loopback receiver took: its socket buffer must not overflow (that
                            // would be the test's loss, not the sender's), on a loaded machine too.
                            final long written = writtenSoFar.addAndGet(100);
                            final long deadline = System.nanoTime() + 30_000_000_000L; // then the count shows the loss
                            while (written - rx.datagrams > 2000 && System.nanoTime() < deadline) {
                                Thread.yield();
                            }
                        }
                    }
                }));
            }
            writers.forEach(Thread::start);
            for (final Thread w : writers) {
                w.join();
            }
            assertThat(sender.flush(Duration.ofSeconds(10))).isTrue();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rx.count() == threads * perThread);
            } catch (final org.awaitility.core.ConditionTimeoutException e) {
                // Say where records went missing: not sent (the sender's counters) or not received (the socket).
                throw new AssertionError("received " + rx.count() + " records in " + rx.datagrams + " datagrams of "
                    + threads * perThread + "; sender: " + sender.stats(), e);
            }
            final List<LoopbackReceiver.Received> got = rx.finish();
            final Set<String> texts = new HashSet<>();
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).seq()).isEqualTo(i + 1);
                texts.add(got.get(i).text());
            }
            assertThat(texts).hasSize(threads * perThread);
            assertThat(sender.stats().dropped()).isZero();
        }
    }

    @Test
    void shouldReportRingOverflowInBandWithTheExactSeqs() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).ringCapacity(1 << 16).maxRecordBytes(1024)
                 .startAgent(false).build()) {
            int accepted = 0;
            for (int i = 1; i <= 3000; i++) {
                if (sender.write(NetconSender.LEVEL_INFO, "record " + i + " " + "y".repeat(60))) {
                    accepted++;
                }
            }
            final long dropped = 3000 - accepted;
            final int delivered = accepted;
            assertThat(dropped).isPositive();
            assertThat(sender.stats().droppedRingFull()).isEqualTo(dropped);
            sender.start(); // the agent resumes
            assertThat(sender.flush(Duration.ofSeconds(10))).isTrue();
            // The report waits behind the hole in the receiver's window until finish() gives the hole up.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.datagrams == delivered + 1);
            final List<LoopbackReceiver.Received> got = rx.finish();
            // seqs 1..accepted arrived; accepted+1..3000 were dropped at the source; 3001 is the report
            assertThat(got.get(accepted - 1).seq()).isEqualTo(accepted);
            assertThat(rx.missing).containsExactly(new long[] {accepted + 1, 3000});
            final LoopbackReceiver.Received report = got.get(accepted);
            assertThat(report.seq()).isEqualTo(3001);
            assertThat(report.level()).isEqualTo(NetconSender.LEVEL_WARNING);
            assertThat(report.dict()).containsEntry("NETCON_DROPPED", Long.toString(dropped))
                .containsEntry("NETCON_DROPPED_FIRST", Long.toString(accepted + 1))
                .containsEntry("NETCON_DROPPED_LAST", "3000")
                .containsEntry("NETCON_DROP_CAUSE", "ring_full");
            assertThat(report.text()).isEqualTo("netcon: dropped " + dropped + " records (seq " + (accepted + 1) + "..3000): ring_full");
        }
    }

    @Test
    void shouldTruncateOversizeRecordsAndSayBy() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).maxRecordBytes(2048).build()) {
            final String text = "z".repeat(5000);
            assertThat(sender.write(NetconSender.LEVEL_INFO, text)).isTrue();
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 1);
            final LoopbackReceiver.Received r = rx.finish().get(0);
            assertThat(text).startsWith(r.text());
            assertThat(r.text().length()).isBetween(1800, 2048);
            assertThat(r.dict()).containsEntry("NETCON_TRUNCATED", "5000");
            assertThat(sender.stats().truncated()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotAllocateInWriteWithTheRingFullOrNot() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             LoopbackReceiver rx2 = new LoopbackReceiver();
             NetconSender paused = NetconSender.builder().target(rx.target()).ringCapacity(1 << 16).startAgent(false).build();
             NetconSender running = NetconSender.builder().target(rx2.target()).ringCapacity(1 << 22)
                 .idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy()).build()) {
            final StringBuilder text = new StringBuilder("a message of about a hundred bytes with a tab\t and an accent \u00e9 .........");
            final Runnable full = () -> {
                for (int i = 0; i < 1_000_000; i++) {
                    paused.write(NetconSender.LEVEL_INFO, text, "logger", "app");
                }
            };
            final Runnable flowing = () -> {
                for (int i = 0; i < 1_000_000; i++) {
                    running.write(NetconSender.LEVEL_INFO, text, "logger", "app");
                }
            };
            full.run();
            flowing.run();
            final long whenFull = Allocations.measure(full);
            final long whenFlowing = Allocations.measure(flowing);
            assertThat(paused.stats().droppedRingFull()).isGreaterThan(1_900_000);
            assertThat(running.stats().written()).isPositive();
            assertThat(whenFull).as("bytes allocated by 1M writes to a full ring").isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
            assertThat(whenFlowing).as("bytes allocated by 1M writes while sending").isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
        }
    }
}

package dev.netcon.sender;

import dev.netcon.protocol.testing.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pass-through mode: records that bring their own seq, prefix and timestamp (/dev/kmsg records). */
class PassThroughTest {
    private static UnsafeBuffer bytes(final String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static FrameStatus write(final NetconSender sender, final String frame) {
        final UnsafeBuffer b = bytes(frame);
        return sender.writeFrame(b, 0, b.capacity());
    }

    @Test
    void shouldSendKernelRecordsVerbatimAddingOnlyHost() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName("kbox").passThrough(true).build()) {
            assertThat(write(sender, "6,1000,5000123,-;eth0: link up\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "3,1001,5000200,-,caller=T12;usb 1-1: a \\x5c and \\x09 tab\n SUBSYSTEM=usb\n DEVICE=c189:1\n"))
                .isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "12,1002,5000300,c;no final newline")).isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "6,1003,5000400,-;named\n host=elsewhere\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "0,1004,5000500,-;\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.raw().size() == 5);
            assertThat(rx.raw()).containsExactly(
                "6,1000,5000123,-;eth0: link up\n host=kbox\n",
                "3,1001,5000200,-,caller=T12;usb 1-1: a \\x5c and \\x09 tab\n SUBSYSTEM=usb\n DEVICE=c189:1\n host=kbox\n",
                "12,1002,5000300,c;no final newline\n host=kbox",
                "6,1003,5000400,-;named\n host=elsewhere\n",
                "0,1004,5000500,-;\n host=kbox\n");
            final List<LoopbackReceiver.Received> got = rx.finish();
            assertThat(got).extracting(LoopbackReceiver.Received::seq).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L);
            assertThat(got).extracting(LoopbackReceiver.Received::level).containsExactly(6, 3, 4, 6, 0);
            assertThat(got.get(1).text()).isEqualTo("usb 1-1: a \\ and \t tab");
            assertThat(got.get(1).dict()).containsEntry("SUBSYSTEM", "usb").containsEntry("DEVICE", "c189:1")
                .containsEntry("host", "kbox");
            assertThat(sender.stats().written()).isEqualTo(5);
        }
    }

    @Test
    void shouldFragmentALongRecordAndPrependTheRelease() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName(null).release("6.1.0")
                 .passThrough(true).build()) {
            final String text = "k".repeat(2500);
            assertThat(write(sender, "4,7,1,-;" + text + "\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "6.2.0,4,8,1,-;has its own release\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 2);
            assertThat(rx.raw().get(0)).startsWith("6.1.0,4,7,1,-,ncfrag=0/");
            assertThat(rx.raw().get(rx.raw().size() - 1)).isEqualTo("6.2.0,4,8,1,-;has its own release\n");
            assertThat(rx.finish().get(0).text()).isEqualTo(text);
            assertThat(sender.stats().fragmented()).isEqualTo(1);
        }
    }

    @Test
    void shouldRejectWhatIsNotOneValidExtendedRecord() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).passThrough(true).maxRecordBytes(1024).build()) {
            assertThat(write(sender, "plain text, no header\n")).isEqualTo(FrameStatus.INVALID);
            assertThat(write(sender, "6,1,2,x;bad flag\n")).isEqualTo(FrameStatus.INVALID);
            assertThat(write(sender, "6,1,2,-,ncfrag=0/10;0123456789")).isEqualTo(FrameStatus.INVALID);
            assertThat(write(sender, "6,1,2,-;bad escape \\xZZ\n")).isEqualTo(FrameStatus.INVALID);
            assertThat(write(sender, "6,1,2,-;text\nno leading space\n")).isEqualTo(FrameStatus.INVALID);
            assertThat(write(sender, "6,1,2,-;" + "y".repeat(1100) + "\n")).isEqualTo(FrameStatus.TOO_LONG);
            assertThat(sender.stats().rejected()).isEqualTo(6);
            assertThat(sender.stats().written()).isZero();
            assertThat(sender.stats().toString()).endsWith(", rejected 6");
        }
    }

    @Test
    void shouldRefuseToMixOwnAndPassedThroughSeqs() {
        try (NetconSender passing = NetconSender.builder().passThrough(true).startAgent(false).build();
             NetconSender own = NetconSender.builder().startAgent(false).build()) {
            assertThatThrownBy(() -> passing.write(NetconSender.LEVEL_INFO, "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writeFrame");
            assertThatThrownBy(() -> write(own, "6,1,2,-;x\n")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("passThrough(true)");
        }
    }

    @Test
    void shouldReportRingFullDropsUnderTheFirstDroppedSeq() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName("kbox").ringCapacity(1 << 16)
                 .maxRecordBytes(1024).passThrough(true).startAgent(false).build()) {
            int accepted = 0;
            for (int seq = 500; seq < 3500; seq++) {
                if (write(sender, "6," + seq + "," + seq * 10 + ",-;record " + seq + " " + "y".repeat(60) + "\n") == FrameStatus.QUEUED) {
                    accepted++;
                }
            }
            final long dropped = 3000 - accepted;
            final long firstDropped = 500 + accepted;
            assertThat(dropped).isPositive();
            assertThat(sender.stats().droppedRingFull()).isEqualTo(dropped);
            sender.start();
            assertThat(sender.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(write(sender, "6,3500,35000,-;the next record\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(sender.flush(Duration.ofSeconds(10))).isTrue();
            final int delivered = accepted;
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.raw().size() == delivered + 2);
            final List<LoopbackReceiver.Received> got = rx.finish();
            final LoopbackReceiver.Received report = got.get(accepted);
            // The report stands in for the first dropped record; the rest of the range is missing.
            assertThat(report.seq()).isEqualTo(firstDropped);
            assertThat(report.level()).isEqualTo(NetconSender.LEVEL_WARNING);
            assertThat(report.dict()).containsEntry("NETCON_DROPPED", Long.toString(dropped))
                .containsEntry("NETCON_DROPPED_FIRST", Long.toString(firstDropped))
                .containsEntry("NETCON_DROPPED_LAST", "3499")
                .containsEntry("NETCON_DROP_CAUSE", "ring_full")
                .containsEntry("host", "kbox");
            assertThat(rx.missing).containsExactly(new long[] {firstDropped + 1, 3499});
            assertThat(rx.raw().get(accepted)).startsWith("12," + firstDropped + "," + (firstDropped - 1) * 10 + ",-;"); // ts: the last record queued
        }
    }

    @Test
    void shouldCountNothingWhenAnOfferFindsTheRingFull() throws Exception {
        try (NetconSender sender = NetconSender.builder().ringCapacity(1 << 16).maxRecordBytes(1024).passThrough(true)
                 .startAgent(false).build()) {
            FrameStatus s;
            int seq = 1;
            do {
                final UnsafeBuffer b = bytes("6," + seq++ + ",1,-;" + "z".repeat(100) + "\n");
                s = sender.offerFrame(b, 0, b.capacity());
            } while (s == FrameStatus.QUEUED);
            assertThat(s).isEqualTo(FrameStatus.FULL);
            assertThat(sender.stats().dropped()).isZero();
            assertThat(sender.offerDropReport(1, 2, 2, 0, DropCause.SOURCE_OVERRUN)).isEqualTo(FrameStatus.FULL);
        }
    }

    @Test
    void shouldSendACallersSourceOverrunReportInSeqOrder() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).hostName("kbox").passThrough(true).build()) {
            assertThat(write(sender, "6,10,100,-;before\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(sender.offerDropReport(11, 14, 4, 150, DropCause.SOURCE_OVERRUN)).isEqualTo(FrameStatus.QUEUED);
            assertThat(write(sender, "6,15,200,-;after\n")).isEqualTo(FrameStatus.QUEUED);
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.raw().size() == 3);
            final List<LoopbackReceiver.Received> got = rx.finish();
            assertThat(got).extracting(LoopbackReceiver.Received::seq).containsExactly(10L, 11L, 15L);
            assertThat(got.get(1).text()).isEqualTo("netcon: dropped 4 records (seq 11..14): source_overrun");
            assertThat(got.get(1).dict()).containsEntry("NETCON_DROPPED_FIRST", "11").containsEntry("NETCON_DROPPED_LAST", "14")
                .containsEntry("NETCON_DROP_CAUSE", "source_overrun");
            assertThat(rx.missing).containsExactly(new long[] {12, 14});
            assertThat(rx.raw().get(1)).startsWith("12,11,150,-;");
            assertThat(sender.stats().dropReports()).isEqualTo(1);
        }
    }

    @Test
    void shouldSendSocketDropReportsAheadOfLaterRecords() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender sender = NetconSender.builder().target(rx.target()).passThrough(true).build()) {
            write(sender, "6,20,1,-;one\n");
            write(sender, "6,21,2,-;two\n");
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            // What onMessage records when sends of 22 and 23 fail (the socket's failures cannot be staged on loopback).
            sender.agent().sendFailed.drop(22);
            sender.agent().sendFailed.drop(23);
            write(sender, "6,24,3,-;four\n");
            assertThat(sender.flush(Duration.ofSeconds(5))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.raw().size() == 4);
            final List<LoopbackReceiver.Received> got = rx.finish();
            assertThat(got).extracting(LoopbackReceiver.Received::seq).containsExactly(20L, 21L, 22L, 24L);
            assertThat(got.get(2).dict()).containsEntry("NETCON_DROP_CAUSE", "send_failed")
                .containsEntry("NETCON_DROPPED_FIRST", "22").containsEntry("NETCON_DROPPED_LAST", "23");
            assertThat(rx.missing).containsExactly(new long[] {23, 23});
        }
    }

    @Test
    void shouldNotAllocateInWriteFrameWithTheRingFullOrNot() throws Exception {
        try (LoopbackReceiver rx = new LoopbackReceiver();
             NetconSender paused = NetconSender.builder().target(rx.target()).hostName("kbox").ringCapacity(1 << 16)
                 .passThrough(true).startAgent(false).build();
             NetconSender running = NetconSender.builder().target(rx.target()).hostName("kbox").ringCapacity(1 << 22)
                 .passThrough(true).idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy()).build()) {
            final UnsafeBuffer frame = bytes("6,123456,987654321,-;a kernel message of about a hundred bytes \\x09 with a tab\n"
                + " SUBSYSTEM=net\n DEVICE=n2\n");
            final Runnable full = () -> {
                for (int i = 0; i < 1_000_000; i++) {
                    paused.writeFrame(frame, 0, frame.capacity());
                }
            };
            final Runnable flowing = () -> {
                for (int i = 0; i < 1_000_000; i++) {
                    running.offerFrame(frame, 0, frame.capacity());
                }
            };
            full.run();
            flowing.run();
            final long whenFull = Allocations.measure(full);
            final long whenFlowing = Allocations.measure(flowing);
            assertThat(paused.stats().droppedRingFull()).isGreaterThan(1_900_000);
            assertThat(running.stats().written()).isPositive();
            assertThat(whenFull).as("bytes allocated by 1M writeFrame to a full ring").isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
            assertThat(whenFlowing).as("bytes allocated by 1M offerFrame while sending").isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
        }
    }
}

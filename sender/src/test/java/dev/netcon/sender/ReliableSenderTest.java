package dev.netcon.sender;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.NcrxMessage;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.RecordListener;
import dev.netcon.protocol.SequencerConfig;
import dev.netcon.protocol.SourceSequencer;
import dev.netcon.protocol.TrackerConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reliable mode against a real UDP peer that speaks ncrx with the protocol module's tracker (as
 * {@code netcon receive --reliable} does) and drops chosen frames on their first transmission.
 */
class ReliableSenderTest {
    @Test
    void shouldDeliverEveryRecordWhenThePeerDropsChosenFrames() throws Exception {
        final int records = 2000;
        // Every 7th record, and the very last one (a lost tail no ack can name), is lost the first time it is sent.
        final LongPredicate chosen = seq -> seq % 7 == 3 || seq == records;
        try (NcrxPeer peer = new NcrxPeer(chosen);
             NetconSender sender = NetconSender.builder().target(peer.target()).hostName("reliable-host").reliable(true)
                 .reliableHistory(4096).reliableEmergencyAfter(Duration.ofMillis(500)).build()) {
            for (int i = 1; i <= records; i++) {
                final String text = "reliable record " + i + (i % 100 == 0 ? " " + "x".repeat(2500) : ""); // some fragment
                while (!sender.write(NetconSender.LEVEL_INFO, text)) {
                    Thread.sleep(1); // the ring is never the subject here
                }
                if (i % 25 == 0) {
                    // Paced so that the peer's socket buffer does not overflow: losses here are the chosen ones.
                    // (A lost tail is only resent by paced emergency resends, 100 ms apart, as ncrx expects.)
                    Thread.sleep(2);
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> peer.delivered.size() == records);
            assertThat(peer.delivered).hasSize(records).first().isEqualTo(1L);
            assertThat(peer.delivered.last()).isEqualTo(records);
            assertThat(peer.duplicateDeliveries).isZero();
            assertThat(peer.missing).as("seqs given up by the peer").isEmpty();
            assertThat((long) peer.droppedOnPurpose.size()).isEqualTo(LongStream.rangeClosed(1, records).filter(chosen).count());
            assertThat(sender.awaitAcknowledged(Duration.ofSeconds(10))).isTrue();
            final SenderStats stats = sender.stats();
            assertThat(stats.ackedSeq()).isEqualTo(records);
            assertThat(stats.retransmitted() + stats.emergencyResends()).isGreaterThanOrEqualTo(peer.droppedOnPurpose.size());
            assertThat(stats.unackedEvicted()).isZero();
            assertThat(stats.dropped()).isZero();
        }
    }

    @Test
    void shouldResendUnacknowledgedRecordsMarkedEmergencyWhenAcksStop() throws Exception {
        try (NcrxPeer peer = new NcrxPeer(seq -> false);
             NetconSender sender = NetconSender.builder().target(peer.target()).reliable(true)
                 .reliableEmergencyAfter(Duration.ofMillis(300)).build()) {
            for (int i = 1; i <= 50; i++) {
                sender.write(NetconSender.LEVEL_INFO, "acked " + i);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.stats().ackedSeq() == 50);
            peer.acking = false; // the receiver goes quiet
            for (int i = 51; i <= 55; i++) {
                sender.write(NetconSender.LEVEL_INFO, "unacked " + i);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> peer.emergencySeqs.containsAll(List.of(51L, 52L, 53L, 54L, 55L)));
            assertThat(peer.emergencySeqs).allMatch(seq -> seq > 50); // acknowledged records are never resent
            assertThat(sender.stats().emergencyResends()).isGreaterThanOrEqualTo(5);

            peer.acking = true; // it answers again: acknowledgement progress ends emergency mode
            sender.write(NetconSender.LEVEL_INFO, "after");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sender.stats().ackedSeq() == 56);
            final long resends = sender.stats().emergencyResends();
            Thread.sleep(600); // two emergency periods: nothing more is resent
            assertThat(sender.stats().emergencyResends()).isEqualTo(resends);
            assertThat(peer.delivered).hasSize(56);
        }
    }

    /** A loopback ncrx receiver: reassembles and orders with the protocol module and answers with its acks. */
    private static final class NcrxPeer implements AutoCloseable, RecordListener {
        final ConcurrentSkipListSet<Long> delivered = new ConcurrentSkipListSet<>();
        final ConcurrentSkipListSet<Long> droppedOnPurpose = new ConcurrentSkipListSet<>();
        final ConcurrentSkipListSet<Long> emergencySeqs = new ConcurrentSkipListSet<>();
        final List<long[]> missing = new ArrayList<>();
        volatile int duplicateDeliveries;
        volatile boolean acking = true;

        private final LongPredicate dropFirstTime;
        private final DatagramChannel channel;
        private final SourceSequencer sequencer;
        private final FrameDecoder peek = new FrameDecoder(65536, 65536);
        private final Thread thread;
        private volatile boolean running = true;

        NcrxPeer(final LongPredicate dropFirstTime) throws Exception {
            this.dropFirstTime = dropFirstTime;
            channel = DatagramChannel.open();
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            channel.configureBlocking(false);
            sequencer = new SourceSequencer(SequencerConfig.builder().tracker(TrackerConfig.builder().windowSize(4096)
                .gapTimeoutNs(TimeUnit.SECONDS.toNanos(60)).ackIntervalNs(TimeUnit.MILLISECONDS.toNanos(20))
                .rerequestIntervalNs(TimeUnit.MILLISECONDS.toNanos(200)).build()).build(), new FrameDecoder(), new Record());
            thread = new Thread(this::run, "ncrx-peer");
            thread.start();
        }

        String target() throws Exception {
            return "127.0.0.1:" + ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        private void run() {
            final ByteBuffer in = ByteBuffer.allocateDirect(65536);
            final UnsafeBuffer inView = new UnsafeBuffer(in);
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            final NcrxMessage check = new NcrxMessage();
            SocketAddress sender = null;
            try {
                while (running) {
                    in.clear();
                    final SocketAddress from = channel.receive(in);
                    final long now = System.nanoTime();
                    if (from != null) {
                        sender = from;
                        onDatagram(inView, in.position(), now);
                    } else {
                        Thread.sleep(1);
                    }
                    sequencer.poll(now, this);
                    if (acking && sender != null) {
                        final int n = sequencer.ncrxResponse(now, out, 0);
                        if (n > 0) {
                            assertThat(check.parse(out, 0, n)).isTrue();
                            channel.send(out.byteBuffer().clear().limit(n), sender);
                        }
                    }
                }
            } catch (final Exception e) {
                if (running) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void onDatagram(final UnsafeBuffer buffer, final int length, final long now) {
            if (peek.decode(buffer, 0, length) != FrameError.NONE) {
                throw new AssertionError("sender put a malformed frame on the wire");
            }
            final long seq = peek.seq();
            if (peek.isEmergency()) {
                emergencySeqs.add(seq);
            }
            if (!peek.isFragment() || peek.fragOffset() == 0) {
                transmissions.merge(seq, 1, Integer::sum); // a transmission starts with its whole frame or first fragment
            }
            if (dropFirstTime.test(seq) && transmissions.getOrDefault(seq, 0) == 1) {
                droppedOnPurpose.add(seq);
                return; // the first transmission of a chosen record is lost, all its fragments with it
            }
            sequencer.onDatagram(buffer, 0, length, now, this);
        }

        /** Transmissions seen per seq (loopback keeps a transmission's fragments in order). */
        private final java.util.Map<Long, Integer> transmissions = new java.util.HashMap<>();

        @Override
        public void onRecord(final Record r) {
            if (!delivered.add(r.seq())) {
                duplicateDeliveries++;
            }
        }

        @Override
        public void onMissing(final long first, final long last) {
            missing.add(new long[] {first, last});
        }

        @Override
        public void onSeqReset(final long last, final long next) {
            throw new AssertionError("unexpected reset " + last + " -> " + next);
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join();
            channel.close();
        }
    }
}

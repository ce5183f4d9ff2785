package dev.netcon.protocol;

import dev.netcon.protocol.capture.Datagram;
import dev.netcon.protocol.testing.Seeds;
import dev.netcon.protocol.testing.Vectors;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole per-source pipeline on real kernel frames, shuffled, duplicated and cut. */
class SourceSequencerTest {
    private static final long MS = 1_000_000L;

    /** Collects what the pipeline emits. */
    static final class Collector implements RecordListener {
        final List<Long> seqs = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        final List<long[]> missing = new ArrayList<>();
        final List<FrameError> rejected = new ArrayList<>();
        int plain;
        int duplicates;
        int expired;
        int resets;

        @Override
        public void onRecord(final Record record) {
            seqs.add(record.seq());
            texts.add(record.text());
        }

        @Override
        public void onMissing(final long firstSeq, final long lastSeq) {
            missing.add(new long[] {firstSeq, lastSeq});
        }

        @Override
        public void onSeqReset(final long lastSeq, final long newSeq) {
            resets++;
        }

        @Override
        public void onDuplicate(final long seq) {
            duplicates++;
        }

        @Override
        public void onPlain(final DirectBuffer buffer, final int offset, final int length) {
            plain++;
        }

        @Override
        public void onRejected(final FrameError error) {
            rejected.add(error);
        }

        @Override
        public void onFragmentsExpired(final int records) {
            expired += records;
        }

        long missingCount() {
            return missing.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
        }
    }

    private static SequencerConfig config(final long gapTimeoutNs) {
        return SequencerConfig.builder()
            .tracker(TrackerConfig.builder().windowSize(1024).gapTimeoutNs(gapTimeoutNs).build())
            .fragmentTimeoutNs(gapTimeoutNs)
            .build();
    }

    private static SourceSequencer sequencer(final SequencerConfig config) {
        return new SourceSequencer(config, new FrameDecoder(config.maxFrameLength(), config.maxRecordLength()), new Record());
    }

    private static FrameError feed(final SourceSequencer s, final byte[] datagram, final long now, final Collector c) {
        return s.onDatagram(new UnsafeBuffer(datagram), 0, datagram.length, now, c);
    }

    @Test
    void shouldReleaseEveryKernelRecordInOrderWhateverTheArrivalOrder() {
        for (final String name : Vectors.EXTENDED) {
            final List<Datagram> datagrams = Vectors.hex(name);
            final Collector inOrder = new Collector();
            final SourceSequencer reference = sequencer(config(1000 * MS));
            datagrams.forEach(d -> feed(reference, d.payload(), 0, inOrder));
            reference.close(inOrder);
            assertThat(inOrder.seqs).isSorted().doesNotHaveDuplicates();

            Seeds.forEachSeed(5, seed -> {
                final Random rnd = new Random(seed);
                final List<Datagram> shuffled = new ArrayList<>(datagrams);
                // Local reordering (within 20 datagrams) and 5% duplicates, as a network would do. The first
                // datagram stays first: a source's first record starts its sequence, so anything older that
                // arrives after it can only be taken as a duplicate.
                for (int i = 1; i < shuffled.size(); i++) {
                    Collections.swap(shuffled, i, Math.min(shuffled.size() - 1, i + rnd.nextInt(20)));
                }
                for (int i = 0; i < datagrams.size() / 20; i++) {
                    shuffled.add(1 + rnd.nextInt(shuffled.size() - 1), datagrams.get(rnd.nextInt(datagrams.size())));
                }
                final Collector c = new Collector();
                final SourceSequencer s = sequencer(config(1000 * MS));
                shuffled.forEach(d -> feed(s, d.payload(), 0, c));
                s.close(c);
                assertThat(c.seqs).isEqualTo(inOrder.seqs);
                assertThat(c.texts).isEqualTo(inOrder.texts);
                assertThat(c.missingCount()).isEqualTo(inOrder.missingCount());
                assertThat(c.rejected).isEmpty();
            });
        }
    }

    @Test
    void shouldCountTheFilteredLevel7RecordAsTheOnlyGap() {
        final Collector c = new Collector();
        final SourceSequencer s = sequencer(config(1000 * MS));
        Vectors.hex(Vectors.EXTENDED_USERDATA_6_12).forEach(d -> feed(s, d.payload(), 0, c));
        s.close(c);
        assertThat(c.seqs).hasSize(435);
        assertThat(c.missing).hasSize(1);
        assertThat(c.missingCount()).isEqualTo(1);
        assertThat(s.fragmentsExpired()).isZero();
    }

    @Test
    void shouldGiveUpALostFragmentAndReportTheRecordMissing() {
        final Collector c = new Collector();
        final SourceSequencer s = sequencer(config(100 * MS));
        feed(s, ascii("6,1,0,-;one\n"), 0, c);
        feed(s, ascii("6,2,0,-,ncfrag=0/10;hello"), MS, c); // second half never comes
        feed(s, ascii("6,3,0,-;three\n"), 2 * MS, c);
        assertThat(c.seqs).containsExactly(1L);
        assertThat(s.nextDeadlineNs()).isLessThanOrEqualTo(102 * MS);
        s.poll(200 * MS, c);
        assertThat(c.expired).isEqualTo(1);
        assertThat(c.missing).containsExactly(new long[] {2, 2});
        assertThat(c.seqs).containsExactly(1L, 3L);
    }

    @Test
    void shouldPassPlainFramesAndCountRejections() {
        final Collector c = new Collector();
        final SourceSequencer s = sequencer(config(100 * MS));
        assertThat(feed(s, ascii("[    4.994056] nctest: level0 emerg\n"), 0, c)).isEqualTo(FrameError.NONE);
        assertThat(feed(s, ascii("6,1,0,-;bad \\xzz\n"), 0, c)).isEqualTo(FrameError.BAD_ESCAPE);
        assertThat(feed(s, ascii("6,1,0,x;bad flag"), 0, c)).isEqualTo(FrameError.BAD_FLAG);
        assertThat(feed(s, new byte[0], 0, c)).isEqualTo(FrameError.EMPTY);
        assertThat(c.plain).isEqualTo(1);
        assertThat(c.rejected).containsExactly(FrameError.BAD_ESCAPE, FrameError.BAD_FLAG, FrameError.EMPTY);
        assertThat(s.rejected()).isEqualTo(3);
        assertThat(s.plainFrames()).isEqualTo(1);
    }

    /** An idle source costs its sequencer, tracker and counters only: the window is allocated on demand. */
    @Test
    void shouldKeepAnIdleSourceUnderOneKibibyte() {
        final SequencerConfig config = SequencerConfig.defaults();
        final FrameDecoder decoder = new FrameDecoder();
        final Record scratch = new Record();
        final byte[] frame = ascii("6,1,0,-;hello\n");
        final SourceSequencer[] sources = new SourceSequencer[10_000];
        final long bytes = dev.netcon.protocol.testing.Allocations.measure(() -> {
            for (int i = 0; i < sources.length; i++) {
                sources[i] = new SourceSequencer(config, decoder, scratch);
                sources[i].onDatagram(new UnsafeBuffer(frame), 0, frame.length, 0, new Collector());
            }
        });
        // What was allocated includes a throwaway UnsafeBuffer and Collector per source: an upper bound.
        final long perSource = bytes / sources.length;
        System.out.println("bytes allocated per idle source (upper bound): " + perSource);
        assertThat(perSource).isLessThanOrEqualTo(1024);
        assertThat(sources[sources.length - 1].tracker().delivered()).isEqualTo(1);
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}

package dev.netcon.cli;

import dev.netcon.sender.DropCause;
import dev.netcon.sender.FrameStatus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The --kmsg relay against a fake sender: records as they are, gaps and bad records as drop reports. */
class KmsgRelayTest {
    /** Records what the relay offers; answers FULL a given number of times first. */
    static final class FakeSink implements KmsgRelay.Sink {
        final List<String> calls = new ArrayList<>();
        int fullAnswers;
        int flushes;
        FrameStatus frameAnswer = FrameStatus.QUEUED;

        @Override
        public FrameStatus offerFrame(final DirectBuffer frame, final int offset, final int length) {
            if (fullAnswers > 0) {
                fullAnswers--;
                return FrameStatus.FULL;
            }
            if (frameAnswer == FrameStatus.QUEUED) {
                calls.add("frame " + frame.getStringWithoutLengthAscii(offset, length));
            }
            return frameAnswer;
        }

        @Override
        public FrameStatus offerDropReport(final long first, final long last, final long count, final long tsUsec,
                                           final DropCause cause) {
            calls.add("report " + first + ".." + last + " x" + count + " ts " + tsUsec + " " + cause.wireName());
            return FrameStatus.QUEUED;
        }

        @Override
        public boolean flush(final Duration timeout) {
            flushes++;
            return true;
        }
    }

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private KmsgRelay relay(final String input, final FakeSink sink) {
        final KmsgInput in = new KmsgInput.Stream(Channels.newChannel(
            new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.US_ASCII))));
        return new KmsgRelay(in, sink, new AtomicBoolean(), err);
    }

    @Test
    void shouldRelayRecordsVerbatimAndReportASeqGapUnderItsFirstSeq() throws Exception {
        final FakeSink sink = new FakeSink();
        final KmsgRelay relay = relay(KmsgInputTest.RECORDS, sink);
        relay.run();
        assertThat(sink.calls).containsExactly(
            "frame " + KmsgInputTest.EXPECTED.get(0),
            "frame " + KmsgInputTest.EXPECTED.get(1),
            "report 102..102 x1 ts 3000 source_overrun", // seq 102 never came: lost before it was read
            "frame " + KmsgInputTest.EXPECTED.get(2),
            "frame " + KmsgInputTest.EXPECTED.get(3));
        assertThat(relay.relayed()).isEqualTo(4);
        assertThat(relay.lost()).isEqualTo(1);
        assertThat(relay.toString()).isEqualTo("kmsg: read 4 records, relayed 4, lost 1 before they were read (1 gaps, 0 overruns), invalid 0");
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void shouldWaitForRoomInsteadOfDropping() throws Exception {
        final FakeSink sink = new FakeSink();
        sink.fullAnswers = 3;
        relay("6,1,1,-;one\n6,2,2,-;two\n", sink).run();
        assertThat(sink.flushes).isEqualTo(3);
        assertThat(sink.calls).containsExactly("frame 6,1,1,-;one\n", "frame 6,2,2,-;two\n");
    }

    @Test
    void shouldCountInputWithoutAHeaderAndReplaceARefusedRecordByAReport() throws Exception {
        final FakeSink sink = new FakeSink();
        final KmsgRelay relay = relay("not a kmsg record\n6,7,70,-;fine\n", sink);
        relay.run();
        assertThat(sink.calls).containsExactly("frame 6,7,70,-;fine\n");
        assertThat(relay.invalid()).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8))
            .isEqualTo("netcon send: skipped input that is not a kmsg record: not a kmsg record\n");

        final FakeSink refusing = new FakeSink();
        refusing.frameAnswer = FrameStatus.TOO_LONG;
        errBytes.reset();
        final KmsgRelay second = relay("6,8,80,-;refused\n", refusing);
        second.run();
        assertThat(refusing.calls).containsExactly("report 8..8 x1 ts 80 invalid_record");
        assertThat(errBytes.toString(StandardCharsets.UTF_8))
            .isEqualTo("netcon send: too long kmsg record seq 8 replaced by a drop report: 6,8,80,-;refused\n");
    }

    @Test
    void shouldSkipUpToTheStartMarkerAndRelayFromIt() throws Exception {
        final FakeSink sink = new FakeSink();
        final String marker = "netcon send: relaying /dev/kmsg from here (pid 1, abc)";
        final KmsgRelay relay = relay("6,1,1,-;old\n6,2,2,-;older\n13,3,3,-;" + marker + "\n6,4,4,-;new\n", sink)
            .startAtMarker(marker, System.nanoTime());
        relay.run();
        assertThat(sink.calls).containsExactly("frame 13,3,3,-;" + marker + "\n", "frame 6,4,4,-;new\n");
        assertThat(relay.toString()).startsWith("kmsg: read 4 records, relayed 2, skipped 2 before the start, lost 0");
    }

    @Test
    void shouldRelayAnywayWhenTheMarkerDoesNotComeBack() throws Exception {
        final FakeSink sink = new FakeSink();
        relay("6,1,1,-;old\n6,2,2,-;new\n", sink).startAtMarker("never", System.nanoTime() - KmsgRelay.MARKER_WAIT_NS - 1).run();
        assertThat(sink.calls).containsExactly("frame 6,1,1,-;old\n", "frame 6,2,2,-;new\n");
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("the start marker did not come back");
    }

    @Test
    void shouldTreatAnOverrunAsAGapShownByTheNextSeq() throws Exception {
        final FakeSink sink = new FakeSink();
        final KmsgInput overrunOnce = new KmsgInput() {
            private final String[] reads = {"6,10,1,-;a\n", null, "6,15,2,-;b\n"};
            private final UnsafeBuffer buf = new UnsafeBuffer(new byte[64]);
            private int i;

            @Override
            int next() {
                if (i == reads.length) {
                    return EOF;
                }
                final String r = reads[i++];
                return r == null ? OVERRUN : buf.putStringWithoutLengthAscii(0, r);
            }

            @Override
            DirectBuffer buffer() {
                return buf;
            }

            @Override
            int offset() {
                return 0;
            }

            @Override
            boolean isDevice() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        final KmsgRelay relay = new KmsgRelay(overrunOnce, sink, new AtomicBoolean(), err);
        relay.run();
        assertThat(sink.calls).containsExactly("frame 6,10,1,-;a\n", "report 11..14 x4 ts 2 source_overrun", "frame 6,15,2,-;b\n");
        assertThat(relay.toString()).endsWith("lost 4 before they were read (1 gaps, 1 overruns), invalid 0");
    }
}

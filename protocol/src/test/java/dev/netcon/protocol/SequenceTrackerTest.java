package dev.netcon.protocol;

import dev.netcon.protocol.testing.Allocations;
import dev.netcon.protocol.testing.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The ordering state machine, with time scripted by hand. */
class SequenceTrackerTest {
    private static final long MS = 1_000_000L;
    private final Record record = new Record();
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
    private final List<String> events = new ArrayList<>();
    private final RecordListener listener = new RecordListener() {
        @Override
        public void onRecord(final Record r) {
            r.parseBody();
            events.add(Long.toUnsignedString(r.seq()) + (r.flag() == '-' ? "" : String.valueOf((char) r.flag()))
                + (r.textLength() > 0 ? ":" + r.text() : ""));
        }

        @Override
        public void onMissing(final long first, final long last) {
            events.add("missing " + Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last));
        }

        @Override
        public void onSeqReset(final long last, final long next) {
            events.add("reset " + Long.toUnsignedString(last) + "->" + Long.toUnsignedString(next));
        }

        @Override
        public void onDuplicate(final long seq) {
            events.add("dup " + Long.toUnsignedString(seq));
        }
    };

    private SequenceTracker tracker(final int window) {
        return new SequenceTracker(TrackerConfig.builder().windowSize(window).gapTimeoutNs(100 * MS).contHoldNs(10 * MS).build());
    }

    private Record rec(final long seq) {
        return record.wrap(14, seq, 0, Wire.FLAG_NONE, false, body, 0, 0, 0, 0); // allocation-free
    }

    private Record rec(final long seq, final char flag, final String text) {
        final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        body.putBytes(0, b);
        return record.wrap(14, seq, 0, (byte) flag, false, body, 0, 0, 0, b.length);
    }

    @Test
    void shouldPassInOrderRecordsStraightThrough() {
        final SequenceTracker t = tracker(8);
        for (long s = 380; s < 385; s++) {
            t.onRecord(rec(s), 0, listener);
        }
        assertThat(events).containsExactly("380", "381", "382", "383", "384");
        assertThat(t.nextDeadlineNs()).isEqualTo(Long.MAX_VALUE);
        assertThat(t.delivered()).isEqualTo(5);
    }

    @Test
    void shouldReorderWithinTheWindowAndGiveUpAHoleExactlyAtTheTimeout() {
        final SequenceTracker t = tracker(8);
        t.onRecord(rec(1), 0, listener);
        t.onRecord(rec(3), 5 * MS, listener);
        t.onRecord(rec(5), 6 * MS, listener);
        t.onRecord(rec(2), 7 * MS, listener);
        assertThat(events).containsExactly("1", "2", "3");
        assertThat(t.nextDeadlineNs()).isEqualTo(106 * MS);
        t.poll(106 * MS - 1, listener);
        assertThat(events).hasSize(3);
        t.poll(106 * MS, listener);
        assertThat(events).containsExactly("1", "2", "3", "missing 4..4", "5");
        assertThat(t.missing()).isEqualTo(1);
        assertThat(t.outOfOrder()).isEqualTo(2);
        assertThat(t.pending()).isZero();
    }

    @Test
    void shouldForceOldHolesOutWhenARecordLandsBeyondTheWindow() {
        final SequenceTracker t = tracker(4);
        t.onRecord(rec(1), 0, listener);
        t.onRecord(rec(3), 0, listener);
        t.onRecord(rec(9), 0, listener);
        assertThat(events).containsExactly("1", "missing 2..2", "3", "missing 4..5");
        t.onRecord(rec(6), 0, listener);
        assertThat(events).endsWith("6");
        t.close(listener);
        assertThat(events).endsWith("6", "missing 7..8", "9");
        assertThat(t.missing()).isEqualTo(5);
    }

    @Test
    void shouldDropDuplicatesReleasedOrBuffered() {
        final SequenceTracker t = tracker(8);
        t.onRecord(rec(1), 0, listener);
        t.onRecord(rec(1), 0, listener);
        t.onRecord(rec(3), 0, listener);
        t.onRecord(rec(3), 0, listener);
        assertThat(events).containsExactly("1", "dup 1", "dup 3");
        assertThat(t.duplicates()).isEqualTo(2);
    }

    @Test
    void shouldReportASequenceResetNotAGap() {
        final SequenceTracker t = tracker(8);
        for (long s = 1000; s < 1003; s++) {
            t.onRecord(rec(s), 0, listener);
        }
        t.onRecord(rec(1005), 0, listener); // buffered behind a hole, then the sender reboots
        t.onRecord(rec(0), 0, listener);
        t.onRecord(rec(1), 0, listener);
        assertThat(events).containsExactly("1000", "1001", "1002", "missing 1003..1004", "1005", "reset 1005->0", "0", "1");
        assertThat(t.seqResets()).isEqualTo(1);
        events.clear();
        t.onRecord(rec(1L << 40), 0, listener); // an absurd jump forward is a reset too
        assertThat(events).containsExactly("reset 1->1099511627776", "1099511627776");
        assertThat(t.missing()).isEqualTo(2);
    }

    @Test
    void shouldJoinPlusContinuationsAndKeepCRecordsApart() {
        final SequenceTracker t = tracker(8);
        t.onRecord(rec(1, 'c', "head"), 0, listener);
        t.onRecord(rec(2, '+', " more"), 1 * MS, listener);
        t.onRecord(rec(3, '+', " end"), 2 * MS, listener);
        t.onRecord(rec(4, 'c', "line a"), 3 * MS, listener);
        t.onRecord(rec(5, 'c', "line b"), 4 * MS, listener);
        t.onRecord(rec(6, '-', "plain"), 5 * MS, listener);
        assertThat(events).containsExactly("1c:head more end", "4c:line a", "5c:line b", "6:plain");
        t.onRecord(rec(7, 'c', "last"), 6 * MS, listener);
        assertThat(t.nextDeadlineNs()).isEqualTo(16 * MS);
        t.poll(16 * MS, listener);
        assertThat(events).endsWith("7c:last");
        assertThat(t.joined()).isEqualTo(2);
        assertThat(t.delivered()).isEqualTo(7);
    }

    @Test
    void shouldWriteNcrxAcksWithMissingSeqsAtTheConfiguredRates() {
        final SequenceTracker t = new SequenceTracker(TrackerConfig.builder().windowSize(16).gapTimeoutNs(30_000 * MS)
            .ackIntervalNs(100 * MS).rerequestIntervalNs(1000 * MS).build());
        final UnsafeBuffer out = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        t.onRecord(rec(40), 0, listener);
        t.onRecord(rec(41), 0, listener);
        t.onRecord(rec(42 + 3), 0, listener);
        t.onRecord(rec(42 + 4), 0, listener);
        assertThat(ncrx(t, 0, out)).isEqualTo("ncrx41 42 43 44");
        assertThat(ncrx(t, 50 * MS, out)).isEmpty();
        assertThat(ncrx(t, 100 * MS, out)).isEqualTo("ncrx41");
        t.onRecord(rec(42), 150 * MS, listener);
        assertThat(ncrx(t, 1000 * MS, out)).isEqualTo("ncrx42 43 44");
        final NcrxMessage parsed = new NcrxMessage();
        assertThat(parsed.parse(out, 0, "ncrx42 43 44".length())).isTrue();
        assertThat(parsed.acked()).isEqualTo(42);
        assertThat(parsed.missingCount()).isEqualTo(2);
    }

    @Test
    void shouldKeepAnNcrxResponseWithinOneDatagram() {
        final SequenceTracker t = new SequenceTracker(TrackerConfig.builder().windowSize(1024).build());
        final UnsafeBuffer out = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        final long base = 1_000_000_000_000L;
        t.onRecord(rec(base), 0, listener);
        t.onRecord(rec(base + 1000), 0, listener);
        final String s = ncrx(t, 0, out);
        assertThat(s.length()).isLessThanOrEqualTo(Wire.MAX_PAYLOAD).isGreaterThan(900);
        assertThat(s).startsWith("ncrx" + base + " " + (base + 1) + " ");
    }

    @Test
    void shouldOrderAcrossTheUnsigned64BitWrap() {
        final SequenceTracker t = tracker(8);
        t.onRecord(rec(-3), 0, listener);
        t.onRecord(rec(0), 0, listener);
        t.onRecord(rec(-2), 0, listener);
        t.onRecord(rec(-1), 0, listener);
        t.onRecord(rec(1), 0, listener);
        assertThat(events).containsExactly("18446744073709551613", "18446744073709551614", "18446744073709551615", "0", "1");
    }

    /** Any interleaving of a seq range with drops, duplicates and reordering: each seq out at most once, in order. */
    @Test
    void shouldAccountEverySeqOnceWhateverTheArrivalOrder() {
        Seeds.forEachSeed(50, seed -> {
            final Random rnd = new Random(seed);
            final int window = 1 << (2 + rnd.nextInt(6));
            final SequenceTracker t = new SequenceTracker(TrackerConfig.builder().windowSize(window).gapTimeoutNs(50 * MS).build());
            final long start = rnd.nextBoolean() ? rnd.nextLong() : -rnd.nextInt(500);
            final int count = 1 + rnd.nextInt(3000);
            final List<Long> arrivals = new ArrayList<>();
            arrivals.add(start); // the first arrival starts the sequence
            for (int i = 1; i < count; i++) {
                if (rnd.nextInt(100) >= 10) {
                    arrivals.add(start + i);
                }
                if (rnd.nextInt(100) < 5) {
                    arrivals.add(start + i - rnd.nextInt(Math.min(i + 1, window))); // a recent one, as networks duplicate
                }
            }
            // Bounded reordering: each arrival is delayed by less than a window's worth of positions.
            final List<long[]> keyed = new ArrayList<>();
            for (int i = 1; i < arrivals.size(); i++) {
                keyed.add(new long[] {i + rnd.nextInt(window), arrivals.get(i)});
            }
            keyed.sort((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < arrivals.size(); i++) {
                arrivals.set(i, keyed.get(i - 1)[1]);
            }
            final List<Long> released = new ArrayList<>();
            final long[] missing = {0};
            final RecordListener collect = new RecordListener() {
                @Override
                public void onRecord(final Record r) {
                    released.add(r.seq());
                }

                @Override
                public void onMissing(final long first, final long last) {
                    for (long s = first; s - last <= 0; s++) {
                        released.add(s);
                        missing[0]++;
                    }
                }

                @Override
                public void onSeqReset(final long last, final long next) {
                    throw new AssertionError("no reset expected: " + last + " -> " + next);
                }
            };
            long now = 0;
            for (final long seq : arrivals) {
                now += rnd.nextInt(3) * MS;
                t.onRecord(rec(seq), now, collect);
                if (rnd.nextInt(10) == 0) {
                    t.poll(now, collect);
                }
            }
            t.close(collect);
            long highest = start;
            for (final long s : arrivals) {
                highest = s - highest > 0 ? s : highest;
            }
            assertThat(released).as("window %d", window).hasSize((int) (highest - start + 1));
            for (int i = 0; i < released.size(); i++) {
                assertThat(released.get(i)).isEqualTo(start + i);
            }
            assertThat(t.delivered() + t.missing()).isEqualTo(released.size());
            assertThat(t.missing()).isEqualTo(missing[0]);
        });
    }

    @Test
    void shouldNotAllocateOnceWarm() {
        final SequenceTracker t = new SequenceTracker(TrackerConfig.builder().windowSize(64).gapTimeoutNs(5 * MS).build());
        final RecordListener quiet = new RecordListener() {
            @Override
            public void onRecord(final Record r) {
            }

            @Override
            public void onMissing(final long first, final long last) {
            }

            @Override
            public void onSeqReset(final long last, final long next) {
            }
        };
        final UnsafeBuffer ack = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        final long[] seq = {1};
        final long[] now = {0};
        final Runnable work = () -> {
            for (int i = 0; i < 1_000_000; i++) {
                final long s = seq[0]++;
                now[0] += 1000;
                if ((i & 15) == 3) {
                    t.onRecord(rec(s + 1), now[0], quiet); // swap a pair: one buffered, then drained
                    t.onRecord(rec(s), now[0], quiet);
                    seq[0]++;
                } else if ((i & 1023) == 7) {
                    seq[0]++; // a loss, given up by poll
                    t.onRecord(rec(s + 1), now[0], quiet);
                } else {
                    t.onRecord(rec(s), now[0], quiet);
                }
                t.poll(now[0], quiet);
                t.ncrxResponse(now[0], ack, 0);
            }
        };
        work.run();
        final long allocated = Allocations.measure(work);
        assertThat(allocated).isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
        assertThat(t.missing()).isPositive();
        assertThat(t.outOfOrder()).isPositive();
    }

    private static String ncrx(final SequenceTracker t, final long now, final UnsafeBuffer out) {
        final int n = t.ncrxResponse(now, out, 0);
        return out.getStringWithoutLengthAscii(0, n);
    }
}

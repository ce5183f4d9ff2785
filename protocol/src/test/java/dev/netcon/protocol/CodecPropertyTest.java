package dev.netcon.protocol;

import dev.netcon.protocol.testing.Seeds;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Seeded randomized properties of the codec, the fragmenter and the reassembler. */
class CodecPropertyTest {
    private static final long[] EDGE_SEQS = {0, 1, 9, 10, 99, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1};

    private final FrameEncoder encoder = new FrameEncoder();
    private final FrameDecoder decoder = new FrameDecoder();
    private final Fragmenter fragmenter = new Fragmenter();
    private final Record record = new Record();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(70_000);

    record Sample(int prefix, long seq, long ts, byte flag, String release, byte[] text, String[] keys, byte[][] values) {
    }

    static Sample randomSample(final Random rnd) {
        final int textLength = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(8);
            case 1 -> 960 + rnd.nextInt(80);   // around the 1000-byte payload limit
            case 2 -> rnd.nextInt(3000);
            default -> 240 + rnd.nextInt(30);  // escapes push these across the limit
        };
        final byte[] text = new byte[textLength];
        final int alphabet = rnd.nextInt(3);
        for (int i = 0; i < textLength; i++) {
            text[i] = switch (alphabet) {
                case 0 -> (byte) ('a' + rnd.nextInt(26));
                case 1 -> (byte) rnd.nextInt(256);
                default -> (byte) (rnd.nextBoolean() ? '\\' : '\t');
            };
        }
        final int dictCount = rnd.nextInt(4);
        final String[] keys = new String[dictCount];
        final byte[][] values = new byte[dictCount][];
        for (int i = 0; i < dictCount; i++) {
            keys[i] = "KEY_" + i;
            values[i] = new byte[rnd.nextInt(50)];
            rnd.nextBytes(values[i]);
        }
        final long seq = rnd.nextBoolean() ? EDGE_SEQS[rnd.nextInt(EDGE_SEQS.length)] : rnd.nextLong();
        return new Sample(rnd.nextInt(Wire.MAX_PREFIX + 1), seq, rnd.nextLong() & Long.MAX_VALUE,
            new byte[] {'-', 'c', '+'}[rnd.nextInt(3)], rnd.nextBoolean() ? "6.1.0-56-amd64" : null, text, keys, values);
    }

    int encode(final Sample s) {
        encoder.wrap(frame, 0, frame.capacity()).header(s.release(), s.prefix(), s.seq(), s.ts(), s.flag())
            .text(new UnsafeBuffer(s.text()), 0, s.text().length);
        for (int i = 0; i < s.keys().length; i++) {
            encoder.dict(s.keys()[i], new UnsafeBuffer(s.values()[i]), 0, s.values()[i].length);
        }
        return encoder.finish();
    }

    List<byte[]> fragments(final int length) {
        assertThat(fragmenter.begin(frame, 0, length)).isEqualTo(FrameError.NONE);
        final List<byte[]> out = new ArrayList<>();
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        int n;
        while ((n = fragmenter.next(dst, 0)) > 0) {
            assertThat(n).isLessThanOrEqualTo(Wire.MAX_PAYLOAD);
            out.add(Arrays.copyOf(dst.byteArray(), n));
        }
        return out;
    }

    void assertDecodesTo(final Record r, final Sample s) {
        assertThat(r.parseBody()).isEqualTo(FrameError.NONE);
        assertThat(r.prefix()).isEqualTo(s.prefix());
        assertThat(r.seq()).isEqualTo(s.seq());
        assertThat(r.tsUsec()).isEqualTo(s.ts());
        assertThat(r.flag()).isEqualTo(s.flag());
        assertThat(r.release()).isEqualTo(s.release());
        assertThat(CodecFuzzTest.unescaped(r, r.textOffset(), r.textLength())).isEqualTo(s.text());
        assertThat(r.dictCount()).isEqualTo(s.keys().length);
        for (int i = 0; i < s.keys().length; i++) {
            assertThat(r.dictKey(i)).isEqualTo(s.keys()[i]);
            assertThat(CodecFuzzTest.unescaped(r, r.dictValueOffset(i), r.dictValueLength(i))).isEqualTo(s.values()[i]);
        }
    }

    @Test
    void shouldDecodeWhatItEncodes() {
        Seeds.forEachSeed(20, seed -> {
            final Random rnd = new Random(seed);
            for (int i = 0; i < 300; i++) {
                final Sample s = randomSample(rnd);
                final int length = encode(s);
                assertThat(length).isPositive();
                final FragmentReassembler reassembler = new FragmentReassembler(2, 1 << 20, 1000);
                Record decoded = null;
                for (final byte[] f : fragments(length)) {
                    final UnsafeBuffer buf = new UnsafeBuffer(f);
                    assertThat(decoder.decode(buf, 0, f.length)).isEqualTo(FrameError.NONE);
                    if (!decoder.isFragment()) {
                        decoded = record.wrap(decoder, buf, decoder.bodyOffset(), decoder.bodyLength());
                    } else if (reassembler.onFragment(decoder, 0) == FragmentReassembler.COMPLETE) {
                        decoded = record.wrap(decoder, reassembler.body(), 0, reassembler.bodyLength());
                    }
                }
                assertThat(decoded).isNotNull();
                assertDecodesTo(decoded, s);
            }
        });
    }

    @Test
    void shouldWriteNumbersAsTextLikeLongToUnsignedString() {
        Seeds.forEachSeed(5, seed -> {
            final Random rnd = new Random(seed);
            for (int i = 0; i < 1000; i++) {
                final long v = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(10);
                    case 1 -> -1L - rnd.nextInt(3); // near 2^64
                    default -> rnd.nextLong();
                };
                final int length = encoder.wrap(frame, 0, frame.capacity()).header((String) null, 12, 1, 0, Wire.FLAG_NONE)
                    .text("dropped ").textUnsigned(v).text(" records").finish();
                assertThat(decoder.decode(frame, 0, length)).isEqualTo(FrameError.NONE);
                final Record r = record.wrap(decoder, frame, decoder.bodyOffset(), decoder.bodyLength());
                assertThat(r.parseBody()).isEqualTo(FrameError.NONE);
                assertThat(r.text()).isEqualTo("dropped " + Long.toUnsignedString(v) + " records");
            }
        });
    }

    @Test
    void shouldReassembleAnyPermutationWithDuplicatesAndOverlaps() {
        Seeds.forEachSeed(20, seed -> {
            final Random rnd = new Random(seed);
            for (int i = 0; i < 200; i++) {
                Sample s = randomSample(rnd);
                while (encode(s) <= Wire.MAX_PAYLOAD) {
                    s = randomSample(rnd);
                }
                final List<byte[]> frags = new ArrayList<>(fragments(encode(s)));
                assertThat(frags.size()).isGreaterThan(1);
                // Duplicates, and overlapping fragments cut from the same body at random offsets.
                final int extra = rnd.nextInt(3);
                for (int k = 0; k < extra; k++) {
                    frags.add(frags.get(rnd.nextInt(frags.size())));
                }
                frags.add(overlapping(frags.get(0), frags.get(1), rnd));
                Collections.shuffle(frags, rnd);
                final FragmentReassembler reassembler = new FragmentReassembler(2, 1 << 20, 1000);
                int completions = 0;
                for (final byte[] f : frags) {
                    final UnsafeBuffer buf = new UnsafeBuffer(f);
                    assertThat(decoder.decode(buf, 0, f.length)).isEqualTo(FrameError.NONE);
                    final int r = reassembler.onFragment(decoder, 0);
                    assertThat(r).isNotEqualTo(FragmentReassembler.REJECTED);
                    if (r == FragmentReassembler.COMPLETE) {
                        completions++;
                        assertDecodesTo(record.wrap(decoder, reassembler.body(), 0, reassembler.bodyLength()), s);
                    }
                }
                assertThat(completions).isEqualTo(1);
                assertThat(reassembler.partialCount()).isZero();
            }
        });
    }

    /** A fragment spanning the end of {@code a} and the start of {@code b} (consecutive fragments). */
    private byte[] overlapping(final byte[] a, final byte[] b, final Random rnd) {
        decoder.decode(new UnsafeBuffer(a), 0, a.length);
        final int aOff = decoder.fragOffset();
        final int total = decoder.fragTotal();
        final String header = new String(a, 0, decoder.headerEnd(), java.nio.charset.StandardCharsets.ISO_8859_1);
        final byte[] aBody = Arrays.copyOfRange(a, decoder.bodyOffset(), a.length);
        decoder.decode(new UnsafeBuffer(b), 0, b.length);
        final byte[] bBody = Arrays.copyOfRange(b, decoder.bodyOffset(), b.length);
        final byte[] joined = new byte[aBody.length + bBody.length];
        System.arraycopy(aBody, 0, joined, 0, aBody.length);
        System.arraycopy(bBody, 0, joined, aBody.length, bBody.length);
        final int from = rnd.nextInt(aBody.length);
        final int to = aBody.length + 1 + rnd.nextInt(bBody.length);
        final String fragHeader = header.substring(0, header.lastIndexOf(",ncfrag="))
            + ",ncfrag=" + (aOff + from) + "/" + total + ";";
        final byte[] h = fragHeader.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        final byte[] out = Arrays.copyOf(h, h.length + to - from);
        System.arraycopy(joined, from, out, h.length, to - from);
        return out;
    }

    @Test
    void shouldRejectInconsistentFragments() {
        final FragmentReassembler reassembler = new FragmentReassembler(2, 65536, 1000);
        assertThat(decode("6,7,0,-,ncfrag=0/10;hello")).isEqualTo(FrameError.NONE);
        assertThat(reassembler.onFragment(decoder, 0)).isEqualTo(FragmentReassembler.INCOMPLETE);
        assertThat(decode("6,7,0,-,ncfrag=5/11;world")).isEqualTo(FrameError.NONE);
        assertThat(reassembler.onFragment(decoder, 0)).isEqualTo(FragmentReassembler.REJECTED);
        assertThat(reassembler.error()).isEqualTo(FrameError.FRAGMENT_INCONSISTENT);
        assertThat(decode("6,7,0,-,ncfrag=3/10;XX")).isEqualTo(FrameError.NONE);
        assertThat(reassembler.onFragment(decoder, 0)).isEqualTo(FragmentReassembler.REJECTED);
        assertThat(decode("6,7,0,-,ncfrag=5/10;world")).isEqualTo(FrameError.NONE);
        assertThat(reassembler.onFragment(decoder, 0)).isEqualTo(FragmentReassembler.COMPLETE);
    }

    @Test
    void shouldExpireAndEvictPartialRecords() {
        final FragmentReassembler reassembler = new FragmentReassembler(2, 65536, 1000);
        decode("6,1,0,-,ncfrag=0/10;hello");
        reassembler.onFragment(decoder, 0);
        decode("6,2,0,-,ncfrag=0/10;hello");
        reassembler.onFragment(decoder, 10);
        assertThat(reassembler.nextDeadlineNs()).isEqualTo(1000);
        decode("6,3,0,-,ncfrag=0/10;hello");
        reassembler.onFragment(decoder, 20); // evicts seq 1, the oldest
        assertThat(reassembler.expired()).isEqualTo(1);
        assertThat(reassembler.expire(1009)).isZero();
        assertThat(reassembler.expire(1010)).isEqualTo(1);
        assertThat(reassembler.partialCount()).isEqualTo(1);
        assertThat(reassembler.expired()).isEqualTo(2);
    }

    private FrameError decode(final String s) {
        final byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return decoder.decode(new UnsafeBuffer(b), 0, b.length);
    }
}

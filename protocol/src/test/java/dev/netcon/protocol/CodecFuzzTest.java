package dev.netcon.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz tests of the byte-level codecs. A normal test run replays the corpus under
 * src/test/resources/dev/netcon/protocol/CodecFuzzTestInputs; {@code JAZZER_FUZZ=1 mvn -pl protocol test
 * -Dtest=CodecFuzzTest} fuzzes for real.
 */
class CodecFuzzTest {
    private final FrameDecoder decoder = new FrameDecoder();
    private final Record record = new Record();
    private final FragmentReassembler reassembler = new FragmentReassembler(4, 65536, 1_000_000_000L);
    private final FrameEncoder encoder = new FrameEncoder();
    private final Fragmenter fragmenter = new Fragmenter();
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(80_000);
    private final UnsafeBuffer fragment = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
    private final NcrxMessage ncrx = new NcrxMessage();

    /** Arbitrary bytes never make the decoder, body parser, reassembler or ncrx parser throw. */
    @FuzzTest
    void decoderNeverThrows(final byte[] datagram) {
        final UnsafeBuffer buf = new UnsafeBuffer(datagram);
        final FrameError e = decoder.decode(buf, 0, datagram.length);
        ncrx.parse(buf, 0, datagram.length);
        if (e != FrameError.NONE || !decoder.isExtended()) {
            return;
        }
        if (decoder.isFragment()) {
            final int r = reassembler.onFragment(decoder, 0);
            if (r == FragmentReassembler.COMPLETE) {
                record.wrap(decoder, reassembler.body(), 0, reassembler.bodyLength()).parseBody();
            }
        } else {
            record.wrap(decoder, buf, decoder.bodyOffset(), decoder.bodyLength()).parseBody();
        }
    }

    /** decode(encode(r)) == r for arbitrary text bytes, dictionaries, seqs and lengths, fragmented or not. */
    @FuzzTest
    void encodeThenDecodeIsIdentity(final FuzzedDataProvider data) {
        final int prefix = data.consumeInt(0, Wire.MAX_PREFIX);
        final long seq = data.consumeLong();
        final long ts = data.consumeLong() & Long.MAX_VALUE; // timestamps are non-negative
        final byte flag = data.pickValue(new byte[] {'-', 'c', '+'});
        final String release = data.consumeBoolean() ? "6.12.107+deb12-amd64" : null;
        final int dictCount = data.consumeInt(0, 3);
        final String[] keys = new String[dictCount];
        final byte[][] values = new byte[dictCount][];
        for (int i = 0; i < dictCount; i++) {
            keys[i] = "K" + i;
            values[i] = data.consumeBytes(40);
        }
        final byte[] text = data.consumeRemainingAsBytes();
        final byte[] textNoNewline = text; // newlines are escaped, so any byte is allowed
        encoder.wrap(frame, 0, frame.capacity()).header(release, prefix, seq, ts, flag)
            .text(new UnsafeBuffer(textNoNewline), 0, textNoNewline.length);
        for (int i = 0; i < dictCount; i++) {
            encoder.dict(keys[i], new UnsafeBuffer(values[i]), 0, values[i].length);
        }
        final int length = encoder.finish();
        assertThat(length).isPositive();
        assertThat(fragmenter.begin(frame, 0, length)).as("%s", frame.getStringWithoutLengthAscii(0, Math.min(length, 80))).isEqualTo(FrameError.NONE);
        final FragmentReassembler fresh = new FragmentReassembler(2, 1 << 20, 1_000_000_000L);
        int n;
        Record decoded = null;
        while ((n = fragmenter.next(fragment, 0)) > 0) {
            assertThat(n).isLessThanOrEqualTo(Wire.MAX_PAYLOAD);
            assertThat(decoder.decode(fragment, 0, n)).isEqualTo(FrameError.NONE);
            if (decoder.isFragment()) {
                if (fresh.onFragment(decoder, 0) == FragmentReassembler.COMPLETE) {
                    decoded = record.wrap(decoder, fresh.body(), 0, fresh.bodyLength());
                }
            } else {
                decoded = record.wrap(decoder, fragment, decoder.bodyOffset(), decoder.bodyLength());
            }
        }
        assertThat(decoded).isNotNull();
        assertThat(decoded.parseBody()).isEqualTo(FrameError.NONE);
        assertThat(decoded.prefix()).isEqualTo(prefix);
        assertThat(decoded.seq()).isEqualTo(seq);
        assertThat(decoded.tsUsec()).isEqualTo(ts);
        assertThat(decoded.flag()).isEqualTo(flag);
        assertThat(decoded.release()).isEqualTo(release);
        assertThat(unescaped(decoded, decoded.textOffset(), decoded.textLength())).isEqualTo(text);
        assertThat(decoded.dictCount()).isEqualTo(dictCount);
        for (int i = 0; i < dictCount; i++) {
            assertThat(decoded.dictKey(i)).isEqualTo(keys[i]);
            assertThat(unescaped(decoded, decoded.dictValueOffset(i), decoded.dictValueLength(i))).isEqualTo(values[i]);
        }
    }

    static byte[] unescaped(final Record r, final int offset, final int length) {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[length]);
        final int n = Escaping.unescape(r.buffer(), offset, length, out, 0, length);
        assertThat(n).isNotNegative();
        return Arrays.copyOf(out.byteArray(), n);
    }
}

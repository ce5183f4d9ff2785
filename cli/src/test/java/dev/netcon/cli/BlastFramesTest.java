package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Fragmenter;
import dev.netcon.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * blast's datagrams are the frames a plain encoding of its record text gives, byte for byte: the template
 * path (body made once per host and digit count, seq written over) must not drift from it, across digit
 * boundaries, sizes too small for the text's prefix, host names that need escaping, and records that are
 * fragmented.
 */
class BlastFramesTest {
    @ParameterizedTest(name = "host {0}, text size {1}")
    @CsvSource(delimiter = '|', value = {
        "blast-0|100", "h|0", "h|5", "blast-0|20", "a-rather-long-host-name.example.com|60", "caf\u00e9\u0007|80",
        "blast-0|900", "blast-0|2500", "big|60000"})
    void shouldMakeTheSameDatagramsAsAPlainEncoding(final String host, final int textSize) {
        for (final ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
            final BlastFrames frames = new BlastFrames(textSize);
            final BlastFrames.Template template = frames.template(host);
            final ByteBuf[] out = new ByteBuf[frames.maxDatagrams(host)];
            for (final long seq : new long[] {1, 2, 9, 10, 11, 99, 100, 12345, 9999999, 10000000, 1L << 40, Long.MAX_VALUE}) {
                final long ts = seq * 7 % 100_000_000L;
                final int n = frames.make(template, seq, ts, alloc, out);
                final List<byte[]> expected = reference(host, textSize, seq, ts);
                assertThat(n).as("datagrams of seq %d", seq).isEqualTo(expected.size());
                for (int i = 0; i < n; i++) {
                    final byte[] actual = new byte[out[i].readableBytes()];
                    out[i].getBytes(out[i].readerIndex(), actual);
                    out[i].release();
                    assertThat(new String(actual, StandardCharsets.ISO_8859_1)).as("seq %d datagram %d", seq, i)
                        .isEqualTo(new String(expected.get(i), StandardCharsets.ISO_8859_1));
                    assertThat(actual.length).isLessThanOrEqualTo(Wire.MAX_PAYLOAD);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"blast-3,100,77"})
    void shouldCarryTheSeqInTheTextAndTheHostInTheDictionary(final String host, final int textSize, final long seq) {
        final BlastFrames frames = new BlastFrames(textSize);
        final ByteBuf[] out = new ByteBuf[frames.maxDatagrams(host)];
        assertThat(frames.make(frames.template(host), seq, 5, PooledByteBufAllocator.DEFAULT, out)).isEqualTo(1);
        final byte[] bytes = new byte[out[0].readableBytes()];
        out[0].readBytes(bytes).release();
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.decode(new UnsafeBuffer(bytes), 0, bytes.length)).isEqualTo(FrameError.NONE);
        assertThat(d.seq()).isEqualTo(seq);
        assertThat(d.level()).isEqualTo(6);
        final String body = new String(bytes, d.bodyOffset(), d.bodyLength(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("blast-3 record 77 ").contains("\n host=blast-3");
        assertThat(body.substring(0, body.indexOf('\n'))).hasSize(textSize).endsWith("v"); // 'a' + 99 % 26
    }

    /** What blast sent before it kept templates: the text built as a string, encoded, then split. */
    private static List<byte[]> reference(final String host, final int textSize, final long seq, final long ts) {
        final StringBuilder text = new StringBuilder(host).append(" record ").append(seq).append(' ');
        for (int i = text.length(); i < textSize; i++) {
            text.append((char) ('a' + i % 26));
        }
        text.setLength(textSize);
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(textSize * 4 + 4096));
        final int length = new FrameEncoder().wrap(frame, 0, frame.capacity())
            .header((String) null, Wire.prefix(1, 6), seq, ts, Wire.FLAG_NONE).text(text).dict("host", host).finish();
        final Fragmenter fragmenter = new Fragmenter();
        assertThat(fragmenter.begin(frame, 0, length)).isEqualTo(FrameError.NONE);
        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        final List<byte[]> out = new ArrayList<>();
        int n;
        while ((n = fragmenter.next(datagram, 0)) > 0) {
            final byte[] b = new byte[n];
            datagram.getBytes(0, b);
            out.add(b);
        }
        return out;
    }
}

package dev.netcon.receiver;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored lines keep a sender's escapes as they are and escape raw control bytes a hostile sender slipped in. */
class LineFormatterTest {
    @Test
    void shouldEscapeRawControlBytesWhereverTheyAreAndKeepEverythingElse() {
        for (int at = 0; at < 20; at++) { // the raw byte at every position of the first words of the text
            if (at >= 4 && at <= 6) {
                continue; // inside "\\x09": an escape cut in two is a bad escape (FrameDecoderTest)
            }
            for (final byte raw : new byte[] {0x01, 0x07, 0x09, 0x1b, 0x1f, 0x7f}) {
                final ByteArrayOutputStream text = new ByteArrayOutputStream();
                final byte[] before = "ok \\x09 caf\u00e9 long enough to span words".getBytes(StandardCharsets.UTF_8);
                text.write(before, 0, at);
                text.write(raw);
                text.write(before, at, before.length - at);
                final String line = format("6,42,1000,-;" + text.toString(StandardCharsets.ISO_8859_1) + "\n host=h\u0002x\n");
                final String expectedText = new String(before, 0, at, StandardCharsets.ISO_8859_1)
                    + String.format("\\x%02x", raw) + new String(before, at, before.length - at, StandardCharsets.ISO_8859_1);
                assertThat(line).as("raw 0x%02x at %d", raw, at)
                    .endsWith("\t42\t0\t6\t-\t1000\t" + expectedText + "\thost=h\\x02x");
            }
        }
    }

    private static String format(final String frame) {
        final byte[] bytes = frame.getBytes(StandardCharsets.ISO_8859_1);
        final FrameDecoder d = new FrameDecoder();
        assertThat(d.decode(new UnsafeBuffer(bytes), 0, bytes.length)).isEqualTo(FrameError.NONE);
        final Record r = new Record().wrap(d, d.buffer(), d.bodyOffset(), d.bodyLength());
        assertThat(r.parseBody()).isEqualTo(FrameError.NONE);
        final LineFormatter f = new LineFormatter().record(0, "h", "127.0.0.1:1", r);
        final byte[] out = new byte[f.length()];
        f.line.getBytes(0, out);
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}

package dev.netcon.protocol;

import dev.netcon.protocol.testing.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The word-at-a-time scans against a byte-by-byte loop, on seeded random buffers, heap and direct. */
class ByteScanTest {
    @Test
    void shouldFindWhatAByteLoopFinds() {
        Seeds.forEachSeed(20, seed -> {
            final Random rnd = new Random(seed);
            for (int round = 0; round < 2000; round++) {
                final byte[] bytes = new byte[rnd.nextInt(70)];
                // a few byte values, so that matches are common, sit at every offset and come several per word
                final byte[] alphabet = {'a', '\n', '\\', 0x1F, 0x20, 0x7F, (byte) 0x80, (byte) 0x9F, (byte) 0xFF, 0, '='};
                final int kinds = 1 + rnd.nextInt(alphabet.length);
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = rnd.nextInt(4) == 0 ? alphabet[rnd.nextInt(kinds)] : (byte) ('a' + rnd.nextInt(26));
                }
                final int from = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length + 1);
                final int to = from + rnd.nextInt(bytes.length - from + 1);
                final byte x = alphabet[rnd.nextInt(alphabet.length)];
                final byte y = alphabet[rnd.nextInt(alphabet.length)];
                final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes);
                for (final UnsafeBuffer b : new UnsafeBuffer[] {new UnsafeBuffer(bytes), new UnsafeBuffer(direct)}) {
                    assertThat(ByteScan.indexOfEither(b, from, to, x, y)).as("either %d %d in [%d, %d)", x, y, from, to)
                        .isEqualTo(naiveEither(bytes, from, to, x, y));
                    assertThat(ByteScan.indexOfControl(b, from, to)).as("control in [%d, %d)", from, to)
                        .isEqualTo(naiveControl(bytes, from, to));
                }
            }
        });
    }

    @Test
    void shouldTellControlCharactersFromUtf8() {
        for (int c = 0; c < 256; c++) {
            assertThat(ByteScan.isControl((byte) c)).as("byte %d", c).isEqualTo(c < 0x20 || c == 0x7F);
            final UnsafeBuffer one = new UnsafeBuffer(new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', (byte) c, 'h'});
            assertThat(ByteScan.indexOfControl(one, 0, 9)).as("byte %d in a word", c).isEqualTo(c < 0x20 || c == 0x7F ? 7 : 9);
        }
    }

    private static int naiveEither(final byte[] b, final int from, final int to, final byte x, final byte y) {
        for (int i = from; i < to; i++) {
            if (b[i] == x || b[i] == y) {
                return i;
            }
        }
        return to;
    }

    private static int naiveControl(final byte[] b, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if ((b[i] >= 0 && b[i] < 0x20) || b[i] == 0x7F) {
                return i;
            }
        }
        return to;
    }
}

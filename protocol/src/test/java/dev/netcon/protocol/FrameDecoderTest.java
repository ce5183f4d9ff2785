package dev.netcon.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rejection reason, and the classification of plain versus extended frames. */
class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder(2000, 4000);
    private final Record record = new Record();

    private FrameError decode(final String s) {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return decoder.decode(new UnsafeBuffer(b), 0, b.length);
    }

    private FrameError decodeRecord(final String s) {
        final FrameError e = decode(s);
        if (e != FrameError.NONE) {
            return e;
        }
        return record.wrap(decoder, decoder.buffer(), decoder.bodyOffset(), decoder.bodyLength()).parseBody();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                                   | EMPTY",
        "6,1,0,-                                | NO_HEADER",
        "6,1,0                                  | NO_HEADER",
        "6,1,;x                                 | BAD_NUMBER",
        "6,1,12a,-;x                            | BAD_NUMBER",
        "6,1,99999999999999999999,-;x           | BAD_NUMBER",
        "6,1,0;x                                | TRUNCATED",
        "1024,1,0,-;x                           | BAD_PREFIX",
        "6,18446744073709551616,0,-;x           | SEQ_OVERFLOW",
        "6,1,0,x;x                              | BAD_FLAG",
        "6,1,0,--;x                             | BAD_FLAG",
        "6,1,0,-,=1;x                           | BAD_FIELD",
        "6,1,0,-,ncfrag=5/3;xx                  | FRAGMENT_OUT_OF_RANGE",
        "6,1,0,-,ncfrag=2/3;xx                  | FRAGMENT_OUT_OF_RANGE",
        "6,1,0,-,ncfrag=a/3;x                   | FRAGMENT_OUT_OF_RANGE",
        "6,1,0,-,ncfrag=0;x                     | FRAGMENT_OUT_OF_RANGE",
        "6,1,0,-,ncfrag=0/3;                    | FRAGMENT_OUT_OF_RANGE",
        "6,1,0,-,ncfrag=0/99999;x               | OVERSIZE",
        "6,1,0,-;bad \\x4g                      | BAD_ESCAPE",
        "6,1,0,-;bad \\                         | BAD_ESCAPE",
        "6,1,0,-;ok\\nnot a dict line            | BAD_DICTIONARY",
        "6,1,0,-;ok\\n =novalue                  | BAD_DICTIONARY",
        "6,1,0,-;ok\\n K=bad\\xz1                | BAD_ESCAPE",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,6,1,0,-;x | BAD_RELEASE",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,6,1,0,-;64-byte release | NONE",
        "6,18446744073709551615,0,-;max seq     | NONE",
        "6,1,0,-,caller=T1,future=x;unknown keys| NONE",
        "6,1,0,c;cont                           | NONE",
        "6,1,0,+;more                           | NONE",
        "6,1,0,-,ncemg=1;emergency              | NONE",
    })
    void shouldRejectWithTheRightReason(final String frame, final FrameError expected) {
        assertThat(decodeRecord(frame.replace("\\n", "\n"))).isEqualTo(expected);
    }

    @Test
    void shouldRejectOversizeDatagrams() {
        assertThat(decode("6,1,0,-;" + "x".repeat(2000))).isEqualTo(FrameError.OVERSIZE);
    }

    @Test
    void shouldTakeHeaderlessTextAsPlain() {
        for (final String plain : new String[] {"[    4.994056] nctest: level0 emerg\n", "hello, world", "12 monkeys",
            "1,x,2", "6.1-x y,1,2,-;text", "GHI\n"}) {
            assertThat(decode(plain)).as(plain).isEqualTo(FrameError.NONE);
            assertThat(decoder.isExtended()).as(plain).isFalse();
        }
    }

    @Test
    void shouldReadEveryHeaderField() {
        assertThat(decodeRecord("6.12.107+deb12-amd64,14,394,5106508,c,ncfrag=0/20,ncemg=1;0123456789")).isEqualTo(FrameError.NONE);
        assertThat(decoder.isExtended()).isTrue();
        assertThat(decoder.facility()).isEqualTo(1);
        assertThat(decoder.level()).isEqualTo(6);
        assertThat(decoder.seq()).isEqualTo(394);
        assertThat(decoder.tsUsec()).isEqualTo(5106508);
        assertThat(decoder.flag()).isEqualTo((byte) 'c');
        assertThat(decoder.fragOffset()).isZero();
        assertThat(decoder.fragTotal()).isEqualTo(20);
        assertThat(decoder.isEmergency()).isTrue();
        assertThat(decoder.buffer().getStringWithoutLengthAscii(decoder.releaseOffset(), decoder.releaseLength()))
            .isEqualTo("6.12.107+deb12-amd64");
    }

    @Test
    void shouldParseDictionaryAndNumbers() {
        assertThat(decodeRecord("12,5,7,-;dropped\n NETCON_DROPPED=3\n NETCON_DROPPED_FIRST=18446744073709551615\n")).isEqualTo(FrameError.NONE);
        assertThat(record.dictLong("NETCON_DROPPED", -1)).isEqualTo(3);
        assertThat(record.dictLong("ABSENT", -1)).isEqualTo(-1);
        assertThat(record.dictValue("NETCON_DROPPED_FIRST")).isEqualTo("18446744073709551615");
        assertThat(record.text()).isEqualTo("dropped");
    }
}

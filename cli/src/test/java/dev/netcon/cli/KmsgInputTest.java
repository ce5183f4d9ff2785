package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Splitting /dev/kmsg-format input into records: by lines from files and FIFOs, by reads from the device. */
class KmsgInputTest {
    static final String RECORDS = "6,100,1000,-;first\n"
        + "3,101,2000,-,caller=T7;usb 1-1: with a dict \\x09\n SUBSYSTEM=usb\n DEVICE=c189:1\n"
        + "\n" // a blank line between records is skipped
        + "4,103,3000,c;after a gap\n"
        + "7,104,4000,-;last, with a dict and no final newline\n KEY=value";

    static final List<String> EXPECTED = List.of(
        "6,100,1000,-;first\n",
        "3,101,2000,-,caller=T7;usb 1-1: with a dict \\x09\n SUBSYSTEM=usb\n DEVICE=c189:1\n",
        "4,103,3000,c;after a gap\n",
        "7,104,4000,-;last, with a dict and no final newline\n KEY=value");

    static List<String> readAll(final KmsgInput in) throws IOException {
        final List<String> records = new ArrayList<>();
        int n;
        while ((n = in.next()) != KmsgInput.EOF) {
            records.add(in.buffer().getStringWithoutLengthAscii(in.offset(), n));
        }
        return records;
    }

    @Test
    void shouldSplitAFileIntoRecordsWithTheirDictionaryLines(@TempDir final Path dir) throws IOException {
        final Path f = dir.resolve("kmsg.txt");
        Files.writeString(f, RECORDS);
        assertThat(KmsgInput.isCharacterDevice(f)).isFalse();
        try (KmsgInput in = KmsgInput.open(f)) {
            assertThat(in.isDevice()).isFalse();
            assertThat(readAll(in)).containsExactlyElementsOf(EXPECTED);
            assertThat(in.next()).isEqualTo(KmsgInput.EOF);
        }
    }

    @Test
    void shouldWaitForTheNextLineBeforeEndingARecordWhenInputTricklesIn() throws IOException {
        final byte[] bytes = RECORDS.getBytes(StandardCharsets.US_ASCII);
        // A channel that hands out one byte per read, as a slow FIFO writer might.
        final ReadableByteChannel trickle = new ReadableByteChannel() {
            private int at;

            @Override
            public int read(final ByteBuffer dst) {
                if (at == bytes.length) {
                    return -1;
                }
                dst.put(bytes[at++]);
                return 1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        try (KmsgInput in = new KmsgInput.Stream(trickle)) {
            assertThat(readAll(in)).containsExactlyElementsOf(EXPECTED);
        }
    }

    @Test
    void shouldPassOnARecordLongerThanTheBufferInPieces() throws IOException {
        final String huge = "6,1,1,-;" + "x".repeat(KmsgInput.Stream.CAPACITY + 10) + "\n6,2,2,-;next\n";
        final ReadableByteChannel ch = java.nio.channels.Channels.newChannel(
            new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.US_ASCII)));
        try (KmsgInput in = new KmsgInput.Stream(ch)) {
            final List<String> records = readAll(in);
            assertThat(records).hasSize(3);
            assertThat(records.get(0)).hasSize(KmsgInput.Stream.CAPACITY);
            assertThat(records.get(2)).isEqualTo("6,2,2,-;next\n");
        }
    }

    @Test
    void shouldReadTheKernelLogOneRecordPerRead() throws IOException {
        final Path kmsg = Path.of("/dev/kmsg");
        Assumptions.assumeTrue(Files.isReadable(kmsg), "no readable /dev/kmsg here");
        final KmsgInput in;
        try {
            in = KmsgInput.open(kmsg);
        } catch (final IOException e) {
            Assumptions.abort("cannot open /dev/kmsg (needs root or CAP_SYSLOG): " + e);
            return;
        }
        try (in) {
            assertThat(in.isDevice()).isTrue();
            final FrameDecoder decoder = new FrameDecoder();
            long previous = -1;
            for (int i = 0; i < 5; i++) {
                final int n = in.next();
                if (n == KmsgInput.OVERRUN) {
                    continue;
                }
                assertThat(n).isPositive();
                assertThat(decoder.decode(in.buffer(), in.offset(), n)).isEqualTo(FrameError.NONE);
                assertThat(decoder.isExtended()).isTrue();
                assertThat(in.buffer().getByte(in.offset() + n - 1)).as("a record ends with a newline").isEqualTo((byte) '\n');
                // One record per read: every line after the first is a dictionary line.
                final String text = in.buffer().getStringWithoutLengthAscii(in.offset(), n);
                assertThat(text.lines().skip(1)).allMatch(l -> l.startsWith(" "));
                if (previous >= 0) {
                    assertThat(decoder.seq()).isGreaterThan(previous);
                }
                previous = decoder.seq();
            }
        }
    }
}

package dev.netcon.protocol;

import dev.netcon.protocol.capture.Datagram;
import dev.netcon.protocol.testing.Vectors;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every real kernel frame in the vectors decodes, reassembles and re-encodes byte for byte. */
class KernelVectorsTest {
    static final List<String> EXTENDED = Vectors.EXTENDED;
    static final List<String> PLAIN = Vectors.PLAIN;
    static final List<String> ALL_FILES = List.of(
        Vectors.EXTENDED_6_1, Vectors.PLAIN_6_1, Vectors.EXTENDED_RELEASE_6_12, Vectors.EXTENDED_USERDATA_6_12,
        Vectors.PLAIN_6_12);

    /** A decoded record kept for assertions: copied out of the flyweights. */
    record Decoded(long seq, int prefix, long tsUsec, byte flag, String release, String text,
                   Map<String, String> dict, byte[] fullBody, List<byte[]> frames) {
    }

    static Map<Long, Decoded> decodeAll(final List<Datagram> datagrams) {
        final FrameDecoder decoder = new FrameDecoder();
        final FragmentReassembler reassembler = new FragmentReassembler(4, 65536, Long.MAX_VALUE / 4);
        final Record record = new Record();
        final Map<Long, Decoded> out = new TreeMap<>(Long::compareUnsigned);
        final Map<Long, List<byte[]>> fragments = new LinkedHashMap<>();
        for (final Datagram d : datagrams) {
            final UnsafeBuffer buf = new UnsafeBuffer(d.payload());
            assertThat(decoder.decode(buf, 0, d.payload().length)).as("datagram %d", d.index()).isEqualTo(FrameError.NONE);
            assertThat(decoder.isExtended()).as("datagram %d is extended", d.index()).isTrue();
            assertThat(d.payload().length).isLessThanOrEqualTo(Wire.MAX_PAYLOAD);
            final List<byte[]> frames;
            if (decoder.isFragment()) {
                frames = fragments.computeIfAbsent(decoder.seq(), k -> new ArrayList<>());
                frames.add(d.payload());
                final int r = reassembler.onFragment(decoder, 0);
                assertThat(r).isIn(FragmentReassembler.INCOMPLETE, FragmentReassembler.COMPLETE);
                if (r == FragmentReassembler.INCOMPLETE) {
                    continue;
                }
                record.wrap(decoder, reassembler.body(), 0, reassembler.bodyLength());
            } else {
                frames = List.of(d.payload());
                record.wrap(decoder, buf, decoder.bodyOffset(), decoder.bodyLength());
            }
            assertThat(record.parseBody()).as("body of seq %d", record.seq()).isEqualTo(FrameError.NONE);
            final Map<String, String> dict = new LinkedHashMap<>();
            for (int i = 0; i < record.dictCount(); i++) {
                dict.put(record.dictKey(i), record.dictValue(i));
            }
            final byte[] body = new byte[record.bodyLength()];
            record.buffer().getBytes(record.bodyOffset(), body);
            final Decoded previous = out.put(record.seq(), new Decoded(record.seq(), record.prefix(), record.tsUsec(),
                record.flag(), record.release(), record.text(), dict, body, frames));
            assertThat(previous).as("seq %d seen twice", record.seq()).isNull();
        }
        assertThat(reassembler.partialCount()).as("every fragmented record reassembles").isZero();
        return out;
    }

    @ParameterizedTest
    @FieldSource("ALL_FILES")
    void shouldReadTheSameDatagramsFromHexAndPcap(final String name) {
        final List<Datagram> hex = Vectors.hex(name);
        final List<Datagram> pcap = Vectors.pcap(name);
        assertThat(pcap).hasSameSizeAs(hex);
        for (int i = 0; i < hex.size(); i++) {
            assertThat(pcap.get(i).payload()).isEqualTo(hex.get(i).payload());
            assertThat(pcap.get(i).sourceKey()).isEqualTo("192.0.2.2:6665");
        }
    }

    @Test
    void shouldHoldTheRecordCountsOfTheCaptures() {
        assertThat(decodeAll(Vectors.hex(Vectors.EXTENDED_6_1))).hasSize(789);
        assertThat(decodeAll(Vectors.hex(Vectors.EXTENDED_RELEASE_6_12))).hasSize(796);
        assertThat(decodeAll(Vectors.hex(Vectors.EXTENDED_USERDATA_6_12))).hasSize(435);
    }

    @ParameterizedTest
    @FieldSource("EXTENDED")
    void shouldDecodeTheSeqListOfTheCapture(final String name) {
        final List<Datagram> datagrams = Vectors.hex(name);
        final FrameDecoder decoder = new FrameDecoder();
        final List<Long> captured = new ArrayList<>();
        for (final Datagram d : datagrams) {
            decoder.decode(new UnsafeBuffer(d.payload()), 0, d.payload().length);
            if (captured.isEmpty() || captured.get(captured.size() - 1) != decoder.seq()) {
                captured.add(decoder.seq());
            }
        }
        final Map<Long, Decoded> records = decodeAll(datagrams);
        assertThat(new ArrayList<>(records.keySet())).isEqualTo(captured.stream().sorted().toList());
        // The only gaps are the filtered level-7 records (README.txt).
        assertThat(captured).isSorted();
    }

    @ParameterizedTest
    @FieldSource("EXTENDED")
    void shouldDecodeTheKnownRecordsAsWritten(final String name) {
        final List<Decoded> records = new ArrayList<>(decodeAll(Vectors.hex(name)).values());
        final Decoded level0 = find(records, "nctest: level0 emerg");
        final String[] levels = {"emerg", "alert", "crit", "err", "warning", "notice", "info"};
        for (int level = 0; level <= 6; level++) {
            final Decoded r = find(records, "nctest: level" + level + " " + levels[level]);
            assertThat(r.prefix()).isEqualTo(8 + level); // facility 1 (user), as /dev/kmsg writes
            assertThat(Long.compareUnsigned(r.seq(), level0.seq())).isGreaterThanOrEqualTo(0);
        }
        assertThat(records.stream().filter(r -> r.text().contains("level7"))).isEmpty();
        assertThat(find(records, "nctest: no prefix (default level)").prefix()).isEqualTo(12);
        assertThat(find(records, "nctest: explicit user.info (14)").prefix()).isEqualTo(14);
        assertThat(find(records, "nctest: daemon.info (30)").prefix()).isEqualTo(30);
        assertThat(find(records, "nctest: trailing newline stripped")).isNotNull();
        assertThat(find(records, "nctest: ctl tab[\t] bell[\u0007] esc[\u001b] cr[\r] del[\u007f] utf8[\u00e9] bs[\\] semi[;] eq[=]"))
            .isNotNull();
        assertThat(find(records, "nctest: multi line1\nline2\n  line3 indented")).isNotNull();

        final String alphabet = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        final StringBuilder l = new StringBuilder();
        for (final char c : "0123456789abcdef".toCharArray()) {
            l.append(c).append(alphabet);
        }
        final Decoded longLine = find(records, "nctest: long " + l.substring(0, 975));
        assertThat(longLine.text()).hasSize(988);
        assertThat(longLine.frames()).hasSize(2);

        final StringBuilder multi = new StringBuilder("nctest: multi40");
        for (int i = 1; i <= 40; i++) {
            multi.append("\nrow ").append(i).append(" of 40 abcdefgh");
        }
        assertThat(find(records, multi.toString()).frames()).hasSize(2);
        assertThat(find(records, "nctest: tabs[" + "\t".repeat(300) + "]").frames()).hasSize(2);
        assertThat(find(records, "nctest: 1200-byte write rejected")).isNotNull();
        assertThat(find(records, "nctest: burst 300")).isNotNull();
        assertThat(find(records, "ncprobe: cont-merged part1 part2 part3").flag()).isEqualTo((byte) '-');
        assertThat(find(records, " tail-after-sleep").flag()).isEqualTo((byte) 'c');
        assertThat(records.stream().filter(r -> r.text().startsWith("nctest: burst ")).count()).isEqualTo(301);
    }

    @Test
    void shouldDecodeReleaseAndUserdata() {
        final List<Decoded> userdata = new ArrayList<>(decodeAll(Vectors.hex(Vectors.EXTENDED_USERDATA_6_12)).values());
        for (final Decoded r : userdata) {
            assertThat(r.release()).isEqualTo("6.12.107+deb12-amd64");
            assertThat(r.dict()).containsEntry("host", "guest01").containsEntry("dc", "lab-7");
        }
        for (final Decoded r : decodeAll(Vectors.hex(Vectors.EXTENDED_RELEASE_6_12)).values()) {
            assertThat(r.release()).isEqualTo("6.12.107+deb12-amd64");
        }
        for (final Decoded r : decodeAll(Vectors.hex(Vectors.EXTENDED_6_1)).values()) {
            assertThat(r.release()).isNull();
        }
        final Decoded acpi = decodeAll(Vectors.hex(Vectors.EXTENDED_6_1)).values().stream()
            .filter(r -> r.dict().containsKey("SUBSYSTEM")).findFirst().orElseThrow();
        assertThat(acpi.dict()).containsKey("DEVICE");
    }

    /** Re-encoding each record from its decoded fields (text and dictionary) reproduces the kernel's bytes. */
    @ParameterizedTest
    @FieldSource("EXTENDED")
    void shouldReencodeEveryRecordByteForByte(final String name) {
        final FrameEncoder encoder = new FrameEncoder();
        final Fragmenter fragmenter = new Fragmenter();
        final ExpandableArrayBuffer whole = new ExpandableArrayBuffer(70000);
        final UnsafeBuffer fragment = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
        for (final Decoded r : decodeAll(Vectors.hex(name)).values()) {
            encoder.wrap(whole, 0, whole.capacity()).header(r.release(), r.prefix(), r.seq(), r.tsUsec(), r.flag())
                .text(new UnsafeBuffer(r.text().getBytes(StandardCharsets.UTF_8)), 0, r.text().getBytes(StandardCharsets.UTF_8).length);
            r.dict().forEach(encoder::dict);
            final int length = encoder.finish();
            assertThat(length).isPositive();
            assertThat(fragmenter.begin(whole, 0, length)).isEqualTo(FrameError.NONE);
            final List<byte[]> produced = new ArrayList<>();
            int n;
            while ((n = fragmenter.next(fragment, 0)) > 0) {
                produced.add(Arrays.copyOf(fragment.byteArray(), n));
            }
            assertThat(produced).as("seq %d", r.seq()).hasSameSizeAs(r.frames());
            for (int i = 0; i < produced.size(); i++) {
                assertThat(new String(produced.get(i), StandardCharsets.ISO_8859_1)).as("seq %d frame %d", r.seq(), i)
                    .isEqualTo(new String(r.frames().get(i), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @ParameterizedTest
    @FieldSource("PLAIN")
    void shouldDecodePlainFramesLineForLine(final String name) {
        final FrameDecoder decoder = new FrameDecoder();
        final StringBuilder all = new StringBuilder();
        for (final Datagram d : Vectors.hex(name)) {
            assertThat(decoder.decode(new UnsafeBuffer(d.payload()), 0, d.payload().length)).isEqualTo(FrameError.NONE);
            assertThat(decoder.isExtended()).as("datagram %d: %s", d.index(), new String(d.payload(), StandardCharsets.UTF_8)).isFalse();
            assertThat(decoder.bodyLength()).isEqualTo(d.payload().length);
            all.append(new String(d.payload(), StandardCharsets.UTF_8));
        }
        final String text = all.toString();
        assertThat(text).contains("] nctest: level0 emerg\n").contains("] nctest: burst 300\n")
            .contains("] nctest: ctl tab[\t] bell[\u0007] esc[\u001b] cr[\r] del[\u007f] utf8[\u00e9]");
        // The 988-char line is split blindly into 1000 + 4 bytes ("GHI\n") with no marker.
        assertThat(Vectors.hex(name).stream().anyMatch(d -> new String(d.payload(), StandardCharsets.UTF_8).equals("GHI\n")))
            .isTrue();
        final String[] lines = text.split("\n");
        assertThat(Arrays.stream(lines).filter(s -> s.matches("\\[ *\\d+\\.\\d{6}\\] nctest: burst \\d+")).count()).isEqualTo(300);
    }

    private static Decoded find(final List<Decoded> records, final String text) {
        return records.stream().filter(r -> r.text().equals(text)).findFirst()
            .orElseThrow(() -> new AssertionError("no record with text " + text));
    }
}

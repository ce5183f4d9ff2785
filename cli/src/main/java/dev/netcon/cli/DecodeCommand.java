package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.RecordListener;
import dev.netcon.protocol.SequencerConfig;
import dev.netcon.protocol.SourceSequencer;
import dev.netcon.protocol.TrackerConfig;
import dev.netcon.protocol.capture.CaptureFormatException;
import dev.netcon.protocol.capture.CaptureReader;
import dev.netcon.protocol.capture.Datagram;
import dev.netcon.protocol.Text;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code netcon decode FILE}: runs every datagram of a capture through the protocol pipeline, offline, and
 * prints the records as JSON Lines in sequence order per source.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Decode a capture of netconsole datagrams offline and print one JSON object per record. "
        + "FILE is a classic libpcap file (Ethernet/SLL/raw IP, IPv4/IPv6, UDP) or a text file with one "
        + "datagram per line in hex. Fragments are reassembled and records ordered by seq per source. "
        + "Fields: seq, facility, level, tsUsec, cont, release, text, dict. Plain (non-extended) datagrams "
        + "come out with null seq/facility/level/tsUsec. Malformed datagrams are reported on stderr.",
        "", "Example: netcon decode protocol/src/test/resources/vectors/kernel-6.12.107-extended-release-userdata.pcap"})
public final class DecodeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "Capture to decode (.pcap or hex lines).")
    Path file;

    @Option(names = "--summary", description = "Print counts (records, fragments, duplicates, malformed by reason, gaps) instead of the records.")
    boolean summary;

    @Option(names = "--window", paramLabel = "N", defaultValue = "65536", description = "Reorder window in records (power of two).")
    int window;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Checks.powerOfTwo("--window", window, 2, 1 << 20); // TrackerConfig's limits
        if (!Files.isRegularFile(file)) {
            throw new CommandException(ExitCodes.BAD_INPUT, "no such file: " + file);
        }
        final List<Datagram> datagrams;
        try {
            datagrams = CaptureReader.read(file);
        } catch (final CaptureFormatException e) {
            throw new CommandException(ExitCodes.BAD_INPUT, file + ": " + e.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        // Offline, every datagram is at hand: no gap is given up before the end of the capture.
        final SequencerConfig config = SequencerConfig.builder()
            .tracker(TrackerConfig.builder().windowSize(window).gapTimeoutNs(Long.MAX_VALUE / 4).build())
            .fragmentTimeoutNs(Long.MAX_VALUE / 4)
            .build();
        final FrameDecoder decoder = new FrameDecoder(config.maxFrameLength(), config.maxRecordLength());
        final Record scratch = new Record();
        final Map<String, SourceSequencer> sources = new LinkedHashMap<>();
        final Printer printer = new Printer(out, summary);
        for (final Datagram d : datagrams) {
            final SourceSequencer source = sources.computeIfAbsent(d.sourceKey(), k -> new SourceSequencer(config, decoder, scratch));
            printer.datagram = d;
            final FrameError error = source.onDatagram(new UnsafeBuffer(d.payload()), 0, d.payload().length, 0, printer);
            if (error != FrameError.NONE) {
                err.println("datagram " + d.index() + " from " + d.sourceKey() + ": " + error.metricName()
                    + " (" + error.description() + ")");
            }
        }
        long fragments = 0;
        long duplicateFragments = 0;
        for (final SourceSequencer s : sources.values()) {
            s.close(printer);
            fragments += s.fragments();
            duplicateFragments += s.duplicateFragments();
        }
        if (summary) {
            out.printf("datagrams          %d%n", datagrams.size());
            out.printf("sources            %d%n", sources.size());
            out.printf("records            %d%n", printer.records);
            out.printf("plain datagrams    %d%n", printer.plain);
            out.printf("fragments          %d (duplicate %d, records given up %d)%n", fragments, duplicateFragments,
                printer.fragmentsExpired);
            out.printf("duplicates         %d%n", printer.duplicates);
            out.printf("gaps               %d (missing records %d)%n", printer.gaps, printer.missing);
            out.printf("seq resets         %d%n", printer.resets);
            long malformed = 0;
            for (final long n : printer.malformed.values()) {
                malformed += n;
            }
            out.printf("malformed          %d%n", malformed);
            printer.malformed.forEach((reason, n) -> out.printf("  %-16s %d%n", reason.metricName(), n));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Turns the pipeline's output into JSON lines and counts. */
    private static final class Printer implements RecordListener {
        final PrintWriter out;
        final boolean quiet;
        final Map<FrameError, Long> malformed = new EnumMap<>(FrameError.class);
        Datagram datagram;
        long records;
        long plain;
        long duplicates;
        long gaps;
        long missing;
        long resets;
        long fragmentsExpired;

        Printer(final PrintWriter out, final boolean quiet) {
            this.out = out;
            this.quiet = quiet;
        }

        @Override
        public void onRecord(final Record r) {
            records++;
            if (quiet) {
                return;
            }
            final StringBuilder sb = new StringBuilder(256);
            sb.append("{\"seq\":").append(Long.toUnsignedString(r.seq()))
                .append(",\"facility\":").append(r.facility())
                .append(",\"level\":").append(r.level())
                .append(",\"tsUsec\":").append(r.tsUsec())
                .append(",\"cont\":").append(r.isCont())
                .append(",\"release\":");
            Json.string(sb, r.release()).append(",\"text\":");
            Json.string(sb, r.text()).append(",\"dict\":{");
            for (int i = 0; i < r.dictCount(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Json.string(sb, r.dictKey(i)).append(':');
                Json.string(sb, r.dictValue(i));
            }
            out.println(sb.append("}}"));
        }

        @Override
        public void onPlain(final DirectBuffer buffer, final int offset, final int length) {
            plain++;
            if (quiet) {
                return;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            String text = Text.utf8(bytes, 0, length);
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            final StringBuilder sb = new StringBuilder(128)
                .append("{\"seq\":null,\"facility\":null,\"level\":null,\"tsUsec\":null,\"cont\":false,\"release\":null,\"text\":");
            out.println(Json.string(sb, text).append(",\"dict\":{}}"));
        }

        @Override
        public void onMissing(final long firstSeq, final long lastSeq) {
            gaps++;
            missing += lastSeq - firstSeq + 1;
        }

        @Override
        public void onSeqReset(final long lastSeq, final long newSeq) {
            resets++;
        }

        @Override
        public void onDuplicate(final long seq) {
            duplicates++;
        }

        @Override
        public void onRejected(final FrameError error) {
            malformed.merge(error, 1L, Long::sum);
        }

        @Override
        public void onFragmentsExpired(final int n) {
            fragmentsExpired += n;
        }
    }
}

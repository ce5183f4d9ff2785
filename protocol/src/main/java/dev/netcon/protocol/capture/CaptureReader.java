package dev.netcon.protocol.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the datagrams of a capture file: a classic libpcap file (Ethernet, Linux cooked or raw IP link
 * types; IPv4 or IPv6; UDP), or a text file with one datagram per line in hex. The format is recognised
 * from the file's first bytes. Offline tooling, so it reads the whole file.
 */
public final class CaptureReader {
    private CaptureReader() {
    }

    public static List<Datagram> read(final Path file) throws IOException, CaptureFormatException {
        final byte[] bytes = Files.readAllBytes(file);
        return PcapFile.isPcap(bytes) ? PcapFile.parse(bytes) : parseHex(bytes);
    }

    /** One datagram per non-empty line, hex digits (either case), optional whitespace; '#' starts a comment. */
    public static List<Datagram> parseHex(final byte[] file) throws CaptureFormatException {
        final String text = new String(file, StandardCharsets.US_ASCII);
        final List<Datagram> out = new ArrayList<>();
        final String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            final int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.replaceAll("\\s+", "");
            if (line.isEmpty()) {
                continue;
            }
            if ((line.length() & 1) != 0) {
                throw new CaptureFormatException("line " + (n + 1) + ": odd number of hex digits");
            }
            final byte[] payload = new byte[line.length() / 2];
            for (int i = 0; i < payload.length; i++) {
                final int hi = Character.digit(line.charAt(2 * i), 16);
                final int lo = Character.digit(line.charAt(2 * i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new CaptureFormatException("line " + (n + 1) + ": not a hex digit near column " + (2 * i + 1));
                }
                payload[i] = (byte) (hi << 4 | lo);
            }
            out.add(new Datagram(out.size(), "", 0, payload));
        }
        return out;
    }
}

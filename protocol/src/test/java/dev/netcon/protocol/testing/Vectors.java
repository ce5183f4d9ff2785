package dev.netcon.protocol.testing;

import dev.netcon.protocol.capture.CaptureFormatException;
import dev.netcon.protocol.capture.CaptureReader;
import dev.netcon.protocol.capture.Datagram;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The real kernel captures under src/test/resources/vectors (see README.txt there), for tests of this
 * module and, through the test-jar, of the others.
 */
public final class Vectors {
    public static final String EXTENDED_6_1 = "kernel-6.1.192-extended";
    public static final String PLAIN_6_1 = "kernel-6.1.192-plain";
    public static final String EXTENDED_RELEASE_6_12 = "kernel-6.12.107-extended-release";
    public static final String EXTENDED_USERDATA_6_12 = "kernel-6.12.107-extended-release-userdata";
    public static final String PLAIN_6_12 = "kernel-6.12.107-plain";

    public static final List<String> EXTENDED = List.of(EXTENDED_6_1, EXTENDED_RELEASE_6_12, EXTENDED_USERDATA_6_12);
    public static final List<String> PLAIN = List.of(PLAIN_6_1, PLAIN_6_12);

    private Vectors() {
    }

    /** The datagrams of {@code name}.hex, in arrival order. */
    public static List<Datagram> hex(final String name) {
        return read(name + ".hex");
    }

    /** The datagrams of {@code name}.pcap, with their source address and port. */
    public static List<Datagram> pcap(final String name) {
        return read(name + ".pcap");
    }

    public static byte[] bytes(final String file) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test vector named " + file);
            }
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Datagram> read(final String file) {
        final byte[] bytes = bytes(file);
        try {
            final java.nio.file.Path tmp = java.nio.file.Files.createTempFile("vector", file);
            try {
                java.nio.file.Files.write(tmp, bytes);
                return CaptureReader.read(tmp);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final CaptureFormatException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }
}

package dev.netcon.receiver;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another sender on an address and port that a source already had (a NAT, a restarted container, a reused
 * ephemeral port) is a new stream: its low seqs must not be taken for the old stream's duplicates.
 */
class HostChangeTest {
    @Test
    void shouldStartANewStreamWhenTheHostNameChangesOnTheSameSource(@TempDir final Path dir) throws Exception {
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> c);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int seq = 1; seq <= 20; seq++) {
                ReceiverHarness.send(socket, rx.udp(), frame(seq, "first"));
            }
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 20);
            for (int seq = 1; seq <= 20; seq++) { // the same seqs again, from the same port, by another host
                ReceiverHarness.send(socket, rx.udp(), frame(seq, "second"));
            }
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 40);
            final SourceStats totals = rx.receiver.stats().totals();
            assertThat(totals.duplicates).isZero();
            assertThat(totals.missing).isZero();
            ReceiverHarness.await(() -> rx.storedLines("first") == 20 && rx.storedLines("second") == 20);
        }
    }

    @Test
    void shouldTellAWholeRecordsHostFromAnotherAndIgnoreWhatCannotSay() {
        final UnsafeBuffer first = new UnsafeBuffer("first".getBytes(StandardCharsets.US_ASCII));
        assertThat(differs("6,1,1000,-;text\n host=first\n", first)).isFalse();
        assertThat(differs("6,1,1000,-;text\n host=second\n", first)).isTrue();
        assertThat(differs("6,1,1000,-;text\n host=firstly\n", first)).isTrue();
        assertThat(differs("6,1,1000,-;text\n SUBSYSTEM=x\n host=first", first)).isFalse(); // not the first line, no final newline
        assertThat(differs("6.1.0-56-amd64,6,1,1000,-;text\n host=other\n", first)).isTrue(); // a release before the header
        assertThat(differs("6,1,1000,-;text\n", first)).isFalse(); // no host=: says nothing
        assertThat(differs("6,1,1000,-,ncfrag=0/40;text\n host=fi", first)).isFalse(); // a fragment may stop inside the line
        assertThat(differs("<6>plain text\n host=other\n", first)).isFalse(); // not an extended record
        assertThat(differs("6,1,1000,-;text mentions\\x0a host=other inline\n host=first\n", first)).isFalse();
        assertThat(differs("", first)).isFalse();
    }

    private static boolean differs(final String datagram, final UnsafeBuffer expected) {
        final byte[] bytes = datagram.getBytes(StandardCharsets.ISO_8859_1);
        // at an offset inside a larger buffer, as in the worker's ring
        final byte[] ring = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, ring, 7, bytes.length);
        return HostField.differs(new UnsafeBuffer(ring), 7, bytes.length, expected);
    }

    private static byte[] frame(final long seq, final String host) {
        return ("6," + seq + ",1000,-;record " + seq + "\n host=" + host + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}

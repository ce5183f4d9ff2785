package dev.netcon.receiver;

import dev.netcon.protocol.capture.Datagram;
import dev.netcon.protocol.testing.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kernel capture replayed over loopback at once, each from its own source port, into a real receiver. */
class VectorReplayTest {
    @Test
    void shouldStoreEveryRecordOnceInSeqOrderUnderTheRightHost(@TempDir final Path dir) throws Exception {
        final Map<String, Integer> expectedRecords = Map.of(
            Vectors.EXTENDED_6_1, 789, Vectors.EXTENDED_RELEASE_6_12, 796, Vectors.EXTENDED_USERDATA_6_12, 435);
        try (ReceiverHarness rx = new ReceiverHarness(dir, c -> c)) {
            final List<Thread> senders = new ArrayList<>();
            final Map<String, Integer> ports = new TreeMap<>();
            final List<String> all = new ArrayList<>(Vectors.EXTENDED);
            all.addAll(Vectors.PLAIN);
            for (final String name : all) {
                final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                ports.put(name, socket.getLocalPort());
                final List<Datagram> datagrams = Vectors.hex(name);
                final Thread t = new Thread(() -> {
                    try (socket) {
                        for (final Datagram d : datagrams) {
                            ReceiverHarness.send(socket, rx.udp(), d.payload());
                            if (d.index() % 50 == 0) {
                                Thread.sleep(1); // a kernel's pace, so that the socket buffer is never the test
                            }
                        }
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                senders.add(t);
                t.start();
            }
            for (final Thread t : senders) {
                t.join();
            }
            ReceiverHarness.await(() -> rx.receiver.stats().totals().delivered == 789 + 796 + 435
                && rx.receiver.stats().totals().plain == 425 + 438);
            rx.close();

            // The userdata capture names itself guest01; the others are stored under the sender's address.
            final List<String> guest = rx.lines("guest01");
            final List<String> local = rx.lines("127.0.0.1");
            assertRecordsInOrder(guest, ports.get(Vectors.EXTENDED_USERDATA_6_12), expectedRecords.get(Vectors.EXTENDED_USERDATA_6_12));
            assertRecordsInOrder(local, ports.get(Vectors.EXTENDED_6_1), expectedRecords.get(Vectors.EXTENDED_6_1));
            assertRecordsInOrder(local, ports.get(Vectors.EXTENDED_RELEASE_6_12), expectedRecords.get(Vectors.EXTENDED_RELEASE_6_12));
            assertThat(guest).anyMatch(l -> l.endsWith("\tnctest: level0 emerg\thost=guest01\tdc=lab-7"));
            assertThat(guest).anyMatch(l -> l.contains("\tnctest: ctl tab[\\x09] bell[\\x07] esc[\\x1b] cr[\\x0d] del[\\x7f] utf8[\\xc3\\xa9] bs[\\x5c] semi[;] eq[=]\t"));
            for (final String plain : Vectors.PLAIN) {
                final String source = "\t127.0.0.1:" + ports.get(plain) + "\t";
                assertThat(local.stream().filter(l -> l.contains("\tplain\t") && l.contains(source)))
                    .anyMatch(l -> l.endsWith("] nctest: burst 300"));
            }
            assertThat(rx.receiver.stats().totals().malformed()).isZero();
        }
    }

    private static void assertRecordsInOrder(final List<String> lines, final int port, final int expected) {
        final String source = "\t127.0.0.1:" + port + "\t";
        final List<Long> seqs = lines.stream().filter(l -> l.contains("\trec\t") && l.contains(source))
            .map(l -> Long.parseLong(l.split("\t")[4])).toList();
        assertThat(seqs).hasSize(expected).isSorted().doesNotHaveDuplicates();
    }
}

package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code netcon send --kmsg} as a process, to a loopback listener: kmsg-format records from a file and a FIFO
 * arrive with the kernel's seq, level and text; and, where this test may (root or CAP_SYSLOG), the real
 * /dev/kmsg, from the start and from the end of its buffer.
 */
class KmsgSendIT {
    /** A received datagram: its bytes (ISO-8859-1, byte for byte) and its decoded record. */
    record Frame(String raw, long seq, int level, int facility, long tsUsec, String text, String host, String dropCause) {
    }

    /** Collects and decodes every datagram arriving on a loopback socket (the records here are never fragmented). */
    static final class Listener implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final List<Frame> frames = new ArrayList<>();
        private final Thread thread = new Thread(this::run, "kmsg-it-listener");
        private volatile boolean running = true;

        Listener() throws Exception {
            socket.setSoTimeout(50);
            socket.setReceiveBufferSize(8 << 20);
            thread.start();
        }

        String target() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        private void run() {
            final byte[] buf = new byte[2048];
            final FrameDecoder decoder = new FrameDecoder();
            final Record record = new Record();
            while (running) {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (final SocketTimeoutException e) {
                    continue;
                } catch (final Exception e) {
                    return;
                }
                final UnsafeBuffer b = new UnsafeBuffer(buf, 0, p.getLength());
                if (decoder.decode(b, 0, p.getLength()) != FrameError.NONE || !decoder.isExtended() || decoder.isFragment()) {
                    throw new AssertionError("not one whole extended frame: " + new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1));
                }
                record.wrap(decoder, b, decoder.bodyOffset(), decoder.bodyLength()).parseBody();
                final Frame f = new Frame(new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1), record.seq(),
                    record.level(), record.facility(), record.tsUsec(), record.text(), record.dictValue("host"),
                    record.dictValue("NETCON_DROP_CAUSE"));
                synchronized (this) {
                    frames.add(f);
                }
            }
        }

        synchronized List<Frame> frames() {
            return List.copyOf(frames);
        }

        Frame await(final Predicate<Frame> which) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (final Frame f : frames()) {
                    if (which.test(f)) {
                        return f;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("not received in 30 s; got " + frames());
        }

        List<Frame> awaitCount(final int n) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (frames().size() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(frames()).hasSize(n);
            return frames();
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join();
            socket.close();
        }
    }

    /** Records as /dev/kmsg gives them: levels 0..7 and facilities, a dictionary, escapes, caller=, and seq 1005 never came. */
    static final String[] RECORDS = {
        "0,1000,1500000,-;Kernel panic - not syncing: test\n",
        "3,1001,1500100,-,caller=T42;usb 1-1: device descriptor read/64, error -71\n SUBSYSTEM=usb\n DEVICE=c189:1\n",
        "4,1002,1500200,-;a tab\\x09and a backslash \\x5c and UTF-8 \\xc3\\xa9\n",
        "6,1003,1500300,-;e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex\n",
        "14,1004,1500400,-;from userspace: facility 1\n",
        "7,1006,1500600,c;after the gap, a continuation record\n",
        "30,1007,1500700,-;systemd[1]: daemon facility\n",
    };

    static String input() {
        return String.join("", RECORDS);
    }

    static void assertRelayedExactly(final List<Frame> got, final String host) {
        // Every record, byte for byte plus host=, in order; the gap's first seq carries the report.
        assertThat(got).hasSize(RECORDS.length + 1);
        for (int i = 0, r = 0; i < got.size(); i++) {
            final Frame f = got.get(i);
            if (f.seq() == 1005) {
                assertThat(f.dropCause()).isEqualTo("source_overrun");
                assertThat(f.text()).isEqualTo("netcon: dropped 1 records (seq 1005..1005): source_overrun");
                assertThat(f.raw()).startsWith("12,1005,1500600,-;");
                continue;
            }
            final String in = RECORDS[r++];
            assertThat(f.raw()).isEqualTo(in + " host=" + host + "\n");
        }
        assertThat(got).extracting(Frame::seq).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L);
        assertThat(got).extracting(Frame::level).containsExactly(0, 3, 4, 6, 6, 4, 7, 6);
        assertThat(got).extracting(Frame::facility).containsExactly(0, 0, 0, 0, 1, 1, 0, 3);
        assertThat(got).extracting(Frame::tsUsec)
            .containsExactly(1500000L, 1500100L, 1500200L, 1500300L, 1500400L, 1500600L, 1500600L, 1500700L);
        assertThat(got.get(2).text()).isEqualTo("a tab\tand a backslash \\ and UTF-8 \u00e9");
        assertThat(got.get(1).text()).isEqualTo("usb 1-1: device descriptor read/64, error -71");
    }

    static String stderr(final Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRelayAKmsgFileWithTheKernelsSeqsLevelsAndText(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("kmsg.txt");
        Files.writeString(f, input(), StandardCharsets.US_ASCII);
        try (Listener l = new Listener()) {
            final Process p = SendProcessIT.send("--kmsg", "--kmsg-path", f.toString(), "--target", l.target(), "--hostname", "kbox");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            final String err = stderr(p);
            assertThat(p.exitValue()).as(err).isZero();
            assertThat(err).contains("netcon send: written 7, sent 8 records")
                .contains("drop reports 1; kmsg: read 7 records, relayed 7, lost 1 before they were read (1 gaps, 0 overruns), invalid 0");
            assertRelayedExactly(l.awaitCount(RECORDS.length + 1), "kbox");
        }
    }

    @Test
    void shouldRelayAFifoAsRecordsComeUntilItsWriterCloses(@TempDir final Path dir) throws Exception {
        final Path fifo = dir.resolve("kmsg.fifo");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        try (Listener l = new Listener()) {
            final Process p = SendProcessIT.send("--kmsg", "--kmsg-path", fifo.toString(), "--target", l.target(), "--hostname", "fifo-host");
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(String.join("", java.util.Arrays.copyOfRange(RECORDS, 0, 3)).getBytes(StandardCharsets.US_ASCII));
                out.write(RECORDS[3].getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // A record is complete once the next one starts: the first three are sent while the writer waits.
                l.await(f -> f.seq() == 1002);
                assertThat(l.frames()).hasSize(3);
                for (int i = 4; i < RECORDS.length; i++) {
                    out.write(RECORDS[i].getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                }
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            final String err = stderr(p);
            assertThat(p.exitValue()).as(err).isZero();
            assertRelayedExactly(l.awaitCount(RECORDS.length + 1), "fifo-host");
        }
    }

    @Test
    void shouldLetTheReceiverCountOverwrittenRecordsAsDroppedAtTheSource(@TempDir final Path dir) throws Exception {
        // 1002..1004 and 1007 were overwritten before they were read: each gap's first seq carries its report.
        final Path f = dir.resolve("kmsg.txt");
        Files.writeString(f, "6,1000,1,-;a\n6,1001,2,-;b\n6,1005,3,-;after 3 lost\n6,1006,4,-;c\n6,1008,5,-;after 1 lost\n"
            + "6,1009,6,-;d\n");
        final ReceiverProcessIT.Running rx = ReceiverProcessIT.start(dir.resolve("data"), "--gap-timeout", "200");
        try {
            final Process p = SendProcessIT.send("--kmsg", "--kmsg-path", f.toString(), "--target", "127.0.0.1:" + rx.udpPort(),
                "--hostname", "acct");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(stderr(p)).isZero();
            ReceiverProcessIT.awaitDelivered(rx.httpPort(), 8); // 6 records and 2 reports
            final String stats = ReceiverProcessIT.get(rx.httpPort(), "/stats");
            // Of the 4 lost records, 2 are given up as missing and all of those were dropped at the source; the
            // other 2 seqs hold the reports. Nothing is blamed on the network.
            assertThat(stats).contains("\"missing\":2,\"droppedAtSource\":2,\"lostInTransit\":0,");
            final List<String> lines = Files.readAllLines(dir.resolve("data").resolve("acct").resolve("netcon.log"));
            assertThat(lines).anyMatch(l -> l.contains("\t1002\t") && l.contains("NETCON_DROP_CAUSE=source_overrun"))
                .anyMatch(l -> l.contains("MISSING 2 records seq 1003..1004"))
                .anyMatch(l -> l.contains("\t1007\t") && l.contains("NETCON_DROPPED_FIRST=1007"));
        } finally {
            rx.process().destroy();
            rx.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Whether this test may read and write /dev/kmsg (root, or CAP_SYSLOG with a writable device). */
    static void assumeKmsgAccess() {
        final Path kmsg = Path.of("/dev/kmsg");
        try (FileChannel r = FileChannel.open(kmsg, StandardOpenOption.READ);
             FileChannel w = FileChannel.open(kmsg, StandardOpenOption.WRITE)) {
            assertThat(r.isOpen() && w.isOpen()).isTrue();
        } catch (final IOException | SecurityException e) {
            Assumptions.abort("skipped: cannot read and write /dev/kmsg here (needs root or CAP_SYSLOG): " + e);
        }
    }

    static String writeToKernelLog(final int level) throws IOException {
        final String text = "netcon-test-marker-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (FileChannel w = FileChannel.open(Path.of("/dev/kmsg"), StandardOpenOption.WRITE)) {
            w.write(ByteBuffer.wrap(("<" + level + ">" + text + "\n").getBytes(StandardCharsets.US_ASCII)));
        }
        return text;
    }

    @Test
    void shouldRelayTheRealKernelLogFromItsStart() throws Exception {
        assumeKmsgAccess();
        final String before = writeToKernelLog(6); // already in the buffer when netcon starts
        try (Listener l = new Listener()) {
            final Process p = SendProcessIT.send("--kmsg", "--target", l.target(), "--hostname", "kmsg-it");
            final Frame old = l.await(f -> f.text().equals(before));
            final String after = writeToKernelLog(3);
            final Frame fresh = l.await(f -> f.text().equals(after));
            p.toHandle().destroy(); // SIGTERM (Process.destroy would close its stderr): flush, exit 0
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            final String err = stderr(p);
            assertThat(p.exitValue()).as(err).isZero();
            assertThat(old.level()).isEqualTo(6);
            assertThat(old.facility()).as("userspace writes are LOG_USER").isEqualTo(1);
            assertThat(fresh.level()).isEqualTo(3);
            assertThat(fresh.seq()).isGreaterThan(old.seq());
            assertThat(fresh.host()).isEqualTo("kmsg-it");
            final java.util.regex.Matcher written = java.util.regex.Pattern.compile("written (\\d+),").matcher(err);
            assertThat(written.find()).as(err).isTrue();
            final List<Frame> got = l.awaitCount(Integer.parseInt(written.group(1))); // the kernel may have said more
            assertThat(got.get(0).seq()).as("the oldest record still in the buffer comes first").isLessThanOrEqualTo(old.seq());
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).seq()).as("kernel seqs, in order, without holes").isEqualTo(got.get(i - 1).seq() + 1);
            }
            assertThat(err).contains("netcon send: written " + got.size() + ", sent " + got.size() + " records")
                .contains("kmsg: read " + got.size() + " records, relayed " + got.size() + ", lost 0");
        }
    }

    @Test
    void shouldRelayTheRealKernelLogFromItsEnd() throws Exception {
        assumeKmsgAccess();
        final String before = writeToKernelLog(6);
        try (Listener l = new Listener()) {
            final Process p = SendProcessIT.send("--kmsg", "--kmsg-from=end", "--target", l.target(), "--hostname", "kmsg-it");
            final Frame start = l.await(f -> f.text().startsWith("netcon send: relaying /dev/kmsg from here (pid "));
            final String after = writeToKernelLog(4);
            final Frame fresh = l.await(f -> f.text().equals(after));
            p.toHandle().destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            final String err = stderr(p);
            assertThat(p.exitValue()).as(err).isZero();
            final List<Frame> got = l.frames();
            assertThat(got.get(0)).as("nothing from before the start marker").isEqualTo(start);
            assertThat(got).extracting(Frame::text).doesNotContain(before);
            assertThat(start.level()).isEqualTo(5);
            assertThat(fresh.level()).isEqualTo(4);
            assertThat(fresh.seq()).isGreaterThan(start.seq());
            assertThat(err).contains("before the start");
        }
    }

    @Test
    void shouldExitWithThePermissionCodeWhenTheKernelLogIsRestricted() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root to drop to nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "skipped: no setpriv");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/kmsg")), "skipped: no /dev/kmsg");
        Assumptions.assumeTrue("1".equals(Files.readString(Path.of("/proc/sys/kernel/dmesg_restrict")).trim()),
            "skipped: kernel.dmesg_restrict=0 lets anyone read the kernel log");
        final ProcessBuilder pb = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            LauncherIT.ROOT.resolve("netcon").toString(), "send", "--kmsg", "--target", "127.0.0.1:9");
        pb.environment().put("NETCON_NO_BUILD", "1");
        pb.environment().put("HOME", "/tmp");
        final Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final String err = stderr(p);
        Assumptions.assumeFalse(err.contains("Permission denied") && err.contains("netcon.jar"),
            "skipped: nobody cannot read the jar in this checkout");
        assertThat(p.exitValue()).as(err).isEqualTo(ExitCodes.PERMISSION);
        assertThat(err).isEqualTo("netcon send: permission denied: /dev/kmsg "
            + "(reading the kernel log needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)\n");
    }

    @Test
    void shouldRejectBadCombinationsWithUsageOrInputCodes(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("kmsg.txt");
        Files.writeString(f, input());
        LauncherIT.Result r = LauncherIT.netcon("send", "--kmsg", "--kmsg-path", f.toString(), f.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon send: --kmsg reads the kernel log: name no FILE and no --follow with it\n");
        r = LauncherIT.netcon("send", "--kmsg", "--kmsg-path", f.toString(), "--level", "err");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon send: --level does not apply to --kmsg: records keep the kernel's level\n");
        r = LauncherIT.netcon("send", "--kmsg", "--kmsg-path", f.toString(), "--kmsg-from=middle");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon send: bad --kmsg-from: 'middle' (start or end)\n");
        r = LauncherIT.netcon("send", "--kmsg", "--kmsg-path", f.toString(), "--kmsg-from=end");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon send: --kmsg-from=end needs the kmsg device; " + f + " is not a character device\n");
        r = LauncherIT.netcon("send", "--kmsg-path", f.toString(), f.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon send: --kmsg-path and --kmsg-from go with --kmsg\n");
        r = LauncherIT.netcon("send", "--kmsg", "--kmsg-path", dir.resolve("none").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("netcon send: no such file: " + dir.resolve("none") + "\n");
    }
}

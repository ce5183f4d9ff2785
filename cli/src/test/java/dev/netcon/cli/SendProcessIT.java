package dev.netcon.cli;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.Record;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netcon send} as a process, to a loopback listener: stdin, and a followed file rotated midway. */
class SendProcessIT {
    /** Collects the records arriving on a loopback socket. */
    static final class Listener implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final List<String> texts = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();
        String host;
        String dc;
        private final Thread thread = new Thread(this::run);
        private volatile boolean running = true;

        Listener() throws Exception {
            socket.setSoTimeout(50);
            socket.setReceiveBufferSize(8 << 20); // the sender bursts; a small buffer would be the test's loss
            thread.start();
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
                decoder.decode(b, 0, p.getLength());
                record.wrap(decoder, b, decoder.bodyOffset(), decoder.bodyLength()).parseBody();
                synchronized (this) {
                    texts.add(record.text());
                    seqs.add(record.seq());
                    host = record.dictValue("host");
                    dc = record.dictValue("dc");
                }
            }
        }

        synchronized int count() {
            return texts.size();
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join();
            socket.close();
        }
    }

    static Process send(final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(LauncherIT.ROOT.resolve("netcon").toString(), "send"));
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("NETCON_NO_BUILD", "1");
        return pb.start();
    }

    static void awaitCount(final Listener l, final int n) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (l.count() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(l.count()).isEqualTo(n);
    }

    /**
     * Waits until the process has {@code file} open (a JVM on a loaded machine takes seconds to start, so a fixed
     * sleep is not enough), seen in /proc/PID/fd where there is one.
     */
    static void awaitOpened(final Process p, final Path file) throws Exception {
        final Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
        if (!Files.isDirectory(fds)) {
            Thread.sleep(3000);
            return;
        }
        final Path real = file.toRealPath();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (java.util.stream.Stream<Path> open = Files.list(fds)) {
                if (open.anyMatch(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).equals(real);
                    } catch (final java.io.IOException e) {
                        return false; // closed meanwhile
                    }
                })) {
                    Thread.sleep(200); // it seeks right after opening
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("netcon send did not open " + file);
    }

    @Test
    void shouldRelayStdinIntactAndExitZeroAtItsEnd() throws Exception {
        try (Listener l = new Listener()) {
            final Process p = send("--target", "127.0.0.1:" + l.socket.getLocalPort(), "--hostname", "stdin-host", "--level", "err",
                "--userdata", "dc=lab-7");
            final StringBuilder in = new StringBuilder();
            for (int i = 1; i <= 500; i++) {
                in.append("line ").append(i).append(" tab\there \u00e9\n");
            }
            p.getOutputStream().write(in.toString().getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("netcon send: written 500, sent 500 records");
            awaitCount(l, 500);
            for (int i = 0; i < 500; i++) {
                assertThat(l.texts.get(i)).isEqualTo("line " + (i + 1) + " tab\there \u00e9");
                assertThat(l.seqs.get(i)).isEqualTo(i + 1);
            }
            assertThat(l.host).isEqualTo("stdin-host");
            assertThat(l.dc).isEqualTo("lab-7");
        }
    }

    @Test
    void shouldFollowAFileAcrossRotation(@TempDir final Path dir) throws Exception {
        final Path log = dir.resolve("app.log");
        Files.writeString(log, "old line, before netcon started\n");
        try (Listener l = new Listener()) {
            final Process p = send("--target", "127.0.0.1:" + l.socket.getLocalPort(), "--follow", log.toString());
            // Ready when it relays a probe line: a fixed sleep is too short on a loaded machine (JVM start-up).
            int probes = 0;
            while (l.count() == 0 && probes < 300) {
                Files.writeString(log, "probe " + ++probes + "\n", StandardOpenOption.APPEND);
                Thread.sleep(100);
            }
            Thread.sleep(500); // probes written after it began following arrive (several poll intervals); earlier ones never
            final int base = l.count();
            for (int i = 1; i <= 50; i++) {
                Files.writeString(log, "before rotation " + i + "\n", StandardOpenOption.APPEND);
            }
            awaitCount(l, base + 50);
            Files.move(log, dir.resolve("app.log.1")); // rotate like logrotate: rename, then a new file
            // The application may write to the renamed file until it reopens its log: that is still relayed.
            Files.writeString(dir.resolve("app.log.1"), "late write to the rotated file\n", StandardOpenOption.APPEND);
            awaitCount(l, base + 51);
            for (int i = 1; i <= 50; i++) {
                Files.writeString(log, "after rotation " + i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            awaitCount(l, base + 101);
            p.destroy(); // SIGTERM: flush, exit 0
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(l.texts.subList(0, base)).allMatch(t -> t.startsWith("probe "));
            assertThat(l.texts.subList(base, base + 50)).allMatch(t -> t.startsWith("before rotation "));
            assertThat(l.texts.get(base + 50)).isEqualTo("late write to the rotated file");
            assertThat(l.texts.subList(base + 51, base + 101)).allMatch(t -> t.startsWith("after rotation "));
            assertThat(l.texts).doesNotContain("old line, before netcon started");
        }
    }

    /**
     * A truncation followed by a write past the old read position, both within one poll, must not be taken for
     * an append (which sent the tail of the new line, "e"); nor must a rewrite with the same first bytes and size.
     */
    @Test
    void shouldStartOverWhenAFollowedFileIsTruncatedAndRewrittenWithinOnePoll(@TempDir final Path dir) throws Exception {
        final Path log = dir.resolve("app.log");
        Files.writeString(log, "");
        try (Listener l = new Listener()) {
            final Process p = send("--target", "127.0.0.1:" + l.socket.getLocalPort(), "--follow", log.toString());
            awaitOpened(p, log);
            Files.writeString(log, "after-rotate\n", StandardOpenOption.APPEND);
            awaitCount(l, 1);
            truncateAndWrite(log, "after-truncate\n"); // : > f; echo after-truncate >> f
            awaitCount(l, 2);
            truncateAndWrite(log, "after-truncate, longer\nsecond\n"); // a longer line that starts the same
            awaitCount(l, 4);
            Thread.sleep(300);
            truncateAndWrite(log, "after-truncate, longer\nsecond\n"); // the same bytes again: only the time tells
            awaitCount(l, 6);
            Files.writeString(log, "appended\n", StandardOpenOption.APPEND);
            awaitCount(l, 7);
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(l.texts).containsExactly("after-rotate", "after-truncate", "after-truncate, longer", "second",
                "after-truncate, longer", "second", "appended");
        }
    }

    /** Truncates in place (same inode) and writes, as fast as a shell would. */
    private static void truncateAndWrite(final Path file, final String text) throws Exception {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void shouldNameAMissingFileInOneLine() throws Exception {
        final LauncherIT.Result r = LauncherIT.netcon("send", "--target", "127.0.0.1:9", "/no/such/file.log");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("netcon send: no such file: /no/such/file.log\n");
    }
}

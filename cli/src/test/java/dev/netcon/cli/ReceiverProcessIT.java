package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netcon receive} as a real process: SIGTERM, kill -9 and restart, and its one-line errors. */
class ReceiverProcessIT {
    private static final Pattern LISTENING = Pattern.compile("listening on udp ([0-9.]+):(\\d+) .*http [0-9.]+:(\\d+)");

    /** A running receiver process and the ports it reported. */
    record Running(Process process, int udpPort, int httpPort, BufferedReader stderr) {
    }

    static Running start(final Path dataDir, final String... extra) throws Exception {
        final List<String> cmd = new java.util.ArrayList<>(List.of(LauncherIT.ROOT.resolve("netcon").toString(), "receive",
            "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data-dir", dataDir.toString(), "--flush-interval", "20"));
        cmd.addAll(List.of(extra));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("NETCON_NO_BUILD", "1");
        final Process p = pb.start();
        final BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        final String line = err.readLine();
        assertThat(line).as("receiver's first line").isNotNull();
        final Matcher m = LISTENING.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return new Running(p, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), err);
    }

    static void send(final DatagramSocket s, final int port, final long firstSeq, final long lastSeq) throws IOException {
        for (long seq = firstSeq; seq <= lastSeq; seq++) {
            final byte[] b = ("14," + seq + ",0,-;record " + seq + "\n host=restart\n").getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        }
    }

    static String get(final int port, final String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    static void awaitDelivered(final int httpPort, final long delivered) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!get(httpPort, "/stats").contains("\"totals\":{\"delivered\":" + delivered + ",")) {
            assertThat(System.nanoTime()).as("delivered %d in time", delivered).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldSurviveKillMinus9AndNeverServeATornLine(@TempDir final Path dir) throws Exception {
        final Path log = dir.resolve("restart").resolve("netcon.log");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final Running first = start(dir);
            send(socket, first.udpPort(), 1, 500);
            awaitDelivered(first.httpPort(), 500);
            final long flushed = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(log) && Files.readAllLines(log).size() == 500) && System.nanoTime() < flushed) {
                Thread.sleep(20); // a flush interval or two: the lines reach the file
            }
            first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9
            assertThat(Files.readAllLines(log)).hasSize(500);
            // What a crash in the middle of a write leaves behind: a line without its newline.
            Files.writeString(log, "2026-11-25T00:00:00.000000Z\trec\trestart\t127.0.0.1:1\t501\t1\t6\t-\t0\ttorn li", StandardOpenOption.APPEND);

            final Running second = start(dir);
            send(socket, second.udpPort(), 501, 1000);
            awaitDelivered(second.httpPort(), 500);
            assertThat(get(second.httpPort(), "/stats")).contains("\"tornLinesCut\":1").contains("\"missing\":0,");
            second.process().destroy(); // SIGTERM: flush and exit 0
            assertThat(second.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process().exitValue()).isZero();
        }
        final List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(1000).noneMatch(l -> l.contains("torn li"));
        for (int i = 0; i < lines.size(); i++) {
            final String[] f = lines.get(i).split("\t");
            assertThat(f[1]).isEqualTo("rec");
            assertThat(f[4]).isEqualTo(Integer.toString(i + 1));
            assertThat(f[9]).isEqualTo("record " + (i + 1));
        }
        assertThat(Files.readString(log)).endsWith("\n");
    }

    @Test
    void shouldFailWithOneLineWhenThePortIsTaken(@TempDir final Path dir) throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final LauncherIT.Result r = LauncherIT.netcon("receive", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                "--http", "off", "--data-dir", dir.toString());
            assertThat(r.exit()).isEqualTo(ExitCodes.ADDRESS_IN_USE);
            assertThat(r.err()).isEqualTo("netcon receive: cannot listen on udp 127.0.0.1:" + taken.getLocalPort()
                + ": address already in use (another receiver? choose one with --listen)\n");
        }
    }

    @Test
    void shouldFailWithOneLineForAnUnusableDataDir(@TempDir final Path dir) throws Exception {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        final LauncherIT.Result r = LauncherIT.netcon("receive", "--listen", "127.0.0.1:0", "--http", "off",
            "--data-dir", file.resolve("data").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.PERMISSION);
        assertThat(r.err()).startsWith("netcon receive: cannot create data directory " + file.resolve("data"))
            .endsWith("(choose another with --data-dir)\n");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void shouldRejectAnUnknownConfigKey(@TempDir final Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("receiver.properties"), "listen=127.0.0.1:0\nno-such-key=1\n");
        final LauncherIT.Result r = LauncherIT.netcon("receive", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).startsWith("netcon receive: " + config + ": unknown key 'no-such-key' (known: ");
    }

    @Test
    void shouldTakeSettingsFromTheConfigFileWithFlagsWinning(@TempDir final Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("receiver.properties"),
            "listen=127.0.0.1:0\nhttp=127.0.0.1:1\ndata-dir=" + dir.resolve("from-config") + "\nworkers=1\n");
        final Running r = start(dir.resolve("from-flag"), "--config", config.toString());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            send(socket, r.udpPort(), 1, 3);
            awaitDelivered(r.httpPort(), 3);
        } finally {
            r.process().destroy();
            r.process().waitFor(20, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve("from-flag").resolve("restart").resolve("netcon.log")).exists();
        assertThat(dir.resolve("from-config")).doesNotExist();
    }
}

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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void shouldFailWithOneLineWhenTheHttpPortIsTaken(@TempDir final Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            final LauncherIT.Result r = LauncherIT.netcon("receive", "--listen", "127.0.0.1:0",
                "--http", "127.0.0.1:" + taken.getLocalPort(), "--data-dir", dir.toString());
            assertThat(r.exit()).isEqualTo(ExitCodes.ADDRESS_IN_USE);
            assertThat(r.err()).isEqualTo("netcon receive: cannot serve http on 127.0.0.1:" + taken.getLocalPort()
                + ": address already in use (choose one with --http)\n");
        }
    }

    /**
     * A privileged port as an unprivileged user is a permission error (5), not "address in use" (7) nor a
     * failure (1). Needs root, to drop to nobody with setpriv(1).
     */
    @Test
    void shouldFailWithThePermissionCodeForAPrivilegedPort() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root to run netcon as nobody with setpriv");
        assumeTrue(Stream.of("/usr/bin/setpriv", "/bin/setpriv").anyMatch(f -> Files.isExecutable(Path.of(f))),
            "skipped: setpriv (util-linux) is not installed");
        final Path start = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
        // readAllLines: readString of a /proc file stops after its first byte (st_size is 0).
        assumeTrue(!Files.exists(start) || Integer.parseInt(Files.readAllLines(start).get(0).trim()) > 514,
            "skipped: ports 81 and 514 are not privileged here (net.ipv4.ip_unprivileged_port_start)");
        // nobody must be able to create the data directory, or that would be the permission error.
        final Path dir = Files.createTempDirectory("netcon-nobody");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        final List<String> asNobody = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
        try {
            final LauncherIT.Result udp = LauncherIT.run(asNobody, "receive", "--listen", "127.0.0.1:514", "--http", "off",
                "--data-dir", dir.resolve("data").toString());
            assertThat(udp.exit()).as(udp.err()).isEqualTo(ExitCodes.PERMISSION);
            assertThat(udp.err()).isEqualTo("netcon receive: cannot listen on udp 127.0.0.1:514: permission denied "
                + "(a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose one with --listen)\n");
            final LauncherIT.Result http = LauncherIT.run(asNobody, "receive", "--listen", "127.0.0.1:0",
                "--http", "127.0.0.1:81", "--data-dir", dir.resolve("data").toString());
            assertThat(http.exit()).as(http.err()).isEqualTo(ExitCodes.PERMISSION);
            assertThat(http.err()).isEqualTo("netcon receive: cannot serve http on 127.0.0.1:81: permission denied "
                + "(a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose one with --http)\n");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
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
    void shouldTreatConfigKeysAsTheReceiversOwnOptionsOnly(@TempDir final Path dir) throws Exception {
        // --verbose is a command-line option of every command, not a receiver setting: not a key, not listed as one.
        final Path verbose = Files.writeString(dir.resolve("verbose.properties"), "verbose=true\n");
        final LauncherIT.Result r = LauncherIT.netcon("receive", "--config", verbose.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(r.err()).startsWith("netcon receive: " + verbose + ": unknown key 'verbose' (known: allow, data-dir, ")
            .doesNotContain(", verbose").doesNotContain("config,").doesNotContain("help");
        final Path yes = Files.writeString(dir.resolve("yes.properties"), "fsync=yes\n");
        final LauncherIT.Result bool = LauncherIT.netcon("receive", "--config", yes.toString());
        assertThat(bool.exit()).isEqualTo(ExitCodes.CONFIG);
        assertThat(bool.err()).isEqualTo("netcon receive: " + yes + ": fsync=yes: expected true or false\n");
        final Path window = Files.writeString(dir.resolve("window.properties"), "window=3\n");
        final LauncherIT.Result checked = LauncherIT.netcon("receive", "--config", window.toString());
        assertThat(checked.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(checked.err()).isEqualTo("netcon receive: --window must be a power of two in 2..1048576, not 3\n");
    }

    @Test
    void shouldTakeSettingsFromTheConfigFileWithFlagsWinning(@TempDir final Path dir) throws Exception {
        final Path config = Files.writeString(dir.resolve("receiver.properties"),
            "listen=127.0.0.1:0\nhttp=127.0.0.1:1\ndata-dir=" + dir.resolve("from-config") + "\nworkers=1\n");
        // --verbose (inherited from netcon) anywhere on the line, and a repeated flag, go with --config.
        final Running r = start(dir.resolve("from-flag"), "--config", config.toString(), "--verbose",
            "--allow", "127.0.0.0/8", "--allow", "::1/128");
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

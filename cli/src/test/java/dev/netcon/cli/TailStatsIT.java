package dev.netcon.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netcon tail} and {@code netcon stats} as processes against a real receiver process. */
class TailStatsIT {
    @TempDir
    static Path dir;
    static ReceiverProcessIT.Running receiver;
    static DatagramSocket web;
    static DatagramSocket db;

    @BeforeAll
    static void startReceiverWithRecords() throws Exception {
        receiver = ReceiverProcessIT.start(dir);
        web = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        db = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final InetSocketAddress rx = new InetSocketAddress("127.0.0.1", receiver.udpPort());
        for (int seq = 1; seq <= 20; seq++) {
            send(web, rx, seq, seq % 8, "web record " + seq, "web-1");
            send(db, rx, seq, 3, "db error " + seq + " esc[\\x1b] tab[\\x09]", "db-1");
        }
        send(web, rx, 22, 4, "web after a gap", "web-1"); // seq 21 never sent: a MISSING line
        ReceiverProcessIT.awaitDelivered(receiver.httpPort(), 41);
        // The gap times out (MISSING is stored), then one more flush interval puts every line in the files.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ReceiverProcessIT.get(receiver.httpPort(), "/stats").contains("\"missing\":1,")) {
            assertThat(System.nanoTime()).as("the gap given up in time").isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(500);
    }

    static void send(final DatagramSocket s, final InetSocketAddress to, final long seq, final int level, final String text,
                     final String host) throws Exception {
        final byte[] b = ((8 + level) + "," + seq + ",0,-;" + text + "\n host=" + host + "\n").getBytes(StandardCharsets.US_ASCII);
        s.send(new java.net.DatagramPacket(b, b.length, to));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.process().destroy();
        receiver.process().waitFor(20, TimeUnit.SECONDS);
        web.close();
        db.close();
    }

    @Test
    void shouldShowTheLastRecordsMergedAndFiltered() throws Exception {
        final LauncherIT.Result all = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "-n", "100", "--host", "web-1", "--host", "db-1");
        assertThat(all.exit()).isZero();
        assertThat(all.out().lines()).hasSize(42).anyMatch(l -> l.contains(" web-1 ") && l.endsWith("MISSING 1 records seq 21..21"));
        assertThat(all.out()).contains("db error 3 esc[^[] tab[\t]").doesNotContain("\u001b"); // never raw escapes, no colour in a pipe

        final LauncherIT.Result errs = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "-n", "100", "--host", "web-*", "--level", "err");
        assertThat(errs.out().lines()).allMatch(l -> l.contains(" web-1 "))
            .noneMatch(l -> l.contains(" warning ") || l.contains(" info "))
            .anyMatch(l -> l.endsWith("web record 3"));

        final LauncherIT.Result last = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "-n", "3", "--host", "db-1", "--grep", "error 1[0-9]");
        assertThat(last.out().lines()).hasSize(3).last().asString().contains("db error 19");

        final LauncherIT.Result json = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "-n", "5", "--json", "--host", "db-1");
        for (final String line : json.out().lines().toList()) {
            final Map<String, Object> o = MiniJson.object(line);
            assertThat(o).containsKeys("seq", "facility", "level", "tsUsec", "cont", "release", "text", "dict", "host", "receivedAt");
            assertThat(o.get("host")).isEqualTo("db-1");
            assertThat((String) o.get("text")).contains("esc[\u001b] tab[\t]");
        }
    }

    @Test
    void shouldFollowRecordsSentAfterItStarted() throws Exception {
        final ProcessBuilder pb = new ProcessBuilder(LauncherIT.ROOT.resolve("netcon").toString(), "tail", "-f", "-n", "0",
            "--data-dir", dir.toString(), "--host", "late-*");
        pb.environment().put("NETCON_NO_BUILD", "1");
        final Process tail = pb.start();
        try (DatagramSocket late = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             BufferedReader out = new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
            // Until tail is following (JVM start-up takes a while on a loaded machine), records come and go unseen
            // (-n 0): send one at a time until tail shows one, then three more that it must show, in order.
            final InetSocketAddress to = new InetSocketAddress("127.0.0.1", receiver.udpPort());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int seq = 0;
            String first = null;
            while (first == null && System.nanoTime() < deadline) {
                send(late, to, ++seq, 6, "late record " + seq, "late-1");
                Thread.sleep(300);
                while (out.ready()) {
                    first = out.readLine();
                }
            }
            assertThat(first).as("tail -f showed a record in time").isNotNull();
            final int followedFrom = seq;
            for (int i = 0; i < 3; i++) {
                send(late, to, ++seq, 6, "late record " + seq, "late-1");
            }
            final List<String> seen = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null) {
                seen.add(line);
                if (line.endsWith("late record " + seq)) {
                    break;
                }
            }
            assertThat(seen.subList(seen.size() - 3, seen.size())).as("after record %d", followedFrom)
                .allMatch(l -> l.contains(" late-1 ")).first().asString().endsWith("late record " + (followedFrom + 1));
            assertThat(seen).last().asString().endsWith("late record " + seq);
        } finally {
            tail.destroy();
            tail.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPrintTheReceiversStatsAsJsonAndAsATable() throws Exception {
        final LauncherIT.Result json = LauncherIT.netcon("stats", "--http", "127.0.0.1:" + receiver.httpPort(), "--json");
        assertThat(json.exit()).isZero();
        final Map<String, Object> mine = MiniJson.object(json.out());
        final Map<String, Object> theirs = MiniJson.object(ReceiverProcessIT.get(receiver.httpPort(), "/stats"));
        // socketOverflows counts the whole network namespace (other processes' sockets too): it moves on its own.
        assertThat(withoutOverflows(mine.get("totals"))).isEqualTo(withoutOverflows(theirs.get("totals")));
        final LauncherIT.Result table = LauncherIT.netcon("stats", "--http", "127.0.0.1:" + receiver.httpPort());
        final List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("HOST").contains("DELIVERED").contains("MISSING");
        assertThat(lines.get(1)).startsWith("web-1"); // the worst loss first
        assertThat(table.out()).containsPattern("TOTAL \\([23] sources\\)"); // late-1 too, if that test ran first
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutOverflows(final Object totals) {
        final Map<String, Object> m = new java.util.HashMap<>((Map<String, Object>) totals);
        m.remove("socketOverflows");
        return m;
    }

    @Test
    void shouldGiveOneLineAndAnExitCodePerError() throws Exception {
        final LauncherIT.Result unreachable = LauncherIT.netcon("stats", "--http", "127.0.0.1:1");
        assertThat(unreachable.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(unreachable.err().lines()).hasSize(1).first().asString().startsWith("netcon stats: cannot reach the receiver");
        final LauncherIT.Result noDir = LauncherIT.netcon("tail", "--data-dir", "/no/such/dir");
        assertThat(noDir.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noDir.err()).startsWith("netcon tail: no data directory /no/such/dir");
        final LauncherIT.Result badLevel = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "--level", "loud");
        assertThat(badLevel.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badLevel.err()).startsWith("netcon tail: unknown level 'loud'");
        final LauncherIT.Result badFlag = LauncherIT.netcon("stats", "--frobnicate");
        assertThat(badFlag.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badFlag.err()).doesNotContain("Exception").contains("Unknown option: '--frobnicate'");
    }

    @Test
    void shouldColourOnATerminalOnly() throws Exception {
        final String args = "tail --data-dir " + dir + " -n 100 --host db-1";
        final java.util.Map<String, String> colourTerminal = new java.util.HashMap<>();
        colourTerminal.put("NO_COLOR", null);
        colourTerminal.put("TERM", "xterm");
        assertThat(LauncherIT.onTerminal(args, colourTerminal)).contains("\u001b[31m").contains("db error 1"); // err in red
        colourTerminal.put("NO_COLOR", "1");
        assertThat(LauncherIT.onTerminal(args, colourTerminal)).contains("db error 1").doesNotContain("\u001b[31m");
        final LauncherIT.Result piped = LauncherIT.netcon("tail", "--data-dir", dir.toString(), "-n", "100", "--host", "db-1");
        assertThat(piped.out()).doesNotContain("\u001b[");
    }

    @Test
    void shouldPrintABashCompletionScript() throws Exception {
        final LauncherIT.Result r = LauncherIT.netcon("completion", "bash");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("complete -F").contains("tail").contains("--data-dir");
    }
}

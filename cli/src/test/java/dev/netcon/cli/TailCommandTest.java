package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netcon tail} in-process on data directories written here in the storage line format (docs/storage.md). */
class TailCommandTest {
    /** 2026-11-30T00:00:00Z: record n is stored n milliseconds after it. */
    private static final long BASE_MS = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
    private static final String PADDING = "x".repeat(200);

    /** A stored line as the receiver's LineFormatter writes it: microsecond receivedAt, TAB-separated fields. */
    static String line(final long n) {
        final String at = Instant.ofEpochMilli(BASE_MS + n).toString(); // ...00.001Z (millis; whole seconds: ...01Z)
        final String micros = at.length() == 20 ? at.substring(0, 19) + ".000000Z" : at.substring(0, 23) + "000Z";
        return micros + "\trec\tbig\t127.0.0.1:40000\t" + n + "\t1\t6\t-\t" + n * 1000 + "\trecord " + n + " " + PADDING
            + "\thost=big\n";
    }

    static void write(final Path file, final long first, final long last) throws Exception {
        Files.createDirectories(file.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
            for (long n = first; n <= last; n++) {
                w.write(line(n));
            }
        }
    }

    @Test
    void shouldShowTheLastRecordsOfAFileOver64MiB(@TempDir final Path dir) throws Exception {
        final Path log = dir.resolve("big").resolve("netcon.log");
        write(log, 1, 340_000);
        assertThat(Files.size(log)).isGreaterThan(90L << 20);
        final DecodeCommandTest.Run run = DecodeCommandTest.run("tail", "--data-dir", dir.toString(), "-n", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).satisfiesExactly(
            l -> assertThat(l).isEqualTo("2026-11-30T00:05:39.999Z big info    record 339999 " + PADDING),
            l -> assertThat(l).isEqualTo("2026-11-30T00:05:40.000Z big info    record 340000 " + PADDING));
    }

    @Test
    void shouldTakeTheLastRecordsFromTheRotatedFileWhenTheActiveOneHasTooFew(@TempDir final Path dir) throws Exception {
        write(dir.resolve("big").resolve("netcon-20261130T000000.log"), 1, 10);
        write(dir.resolve("big").resolve("netcon.log"), 11, 13);
        final DecodeCommandTest.Run run = DecodeCommandTest.run("tail", "--data-dir", dir.toString(), "-n", "5", "--json");
        assertThat(run.out().lines().map(l -> MiniJson.object(l).get("seq")).toList()).containsExactly(9L, 10L, 11L, 12L, 13L);
    }

    @Test
    void shouldFollowALargeFileFromItsEndWithoutSkippingOrRepeatingLines(@TempDir final Path dir) throws Exception {
        final Path log = dir.resolve("big").resolve("netcon.log");
        write(log, 1, 340_000);
        Files.writeString(log, line(340_001).substring(0, 40), StandardOpenOption.APPEND); // a line being written
        final StringWriter out = new StringWriter();
        final Thread tail = new Thread(() -> Netcon.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))
            .execute("tail", "-f", "-n", "1", "--data-dir", dir.toString()));
        tail.start();
        try {
            awaitLines(out, 1);
            Files.writeString(log, line(340_001).substring(40), StandardOpenOption.APPEND);
            write(log, 340_002, 340_003);
            awaitLines(out, 4);
            Thread.sleep(500); // nothing more comes
        } finally {
            tail.interrupt();
            tail.join(10_000);
        }
        assertThat(out.toString().lines().map(l -> l.split(" +")[4]).toList())
            .containsExactly("340000", "340001", "340002", "340003");
    }

    private static void awaitLines(final StringWriter out, final int n) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.toString().lines().count() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.toString().lines().toList()).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void shouldReadLinesBackwardsAcrossBlocksAndLeaveAnUnfinishedLastLine(@TempDir final Path dir) throws Exception {
        final String longLine = "y".repeat(200_000); // longer than the 64 KiB blocks
        final Path f = Files.writeString(dir.resolve("f"), "first\n" + longLine + "\n\nlast\nunfinished");
        try (BackwardLines back = new BackwardLines(f)) {
            assertThat(back.end()).isEqualTo(Files.size(f) - "unfinished".length());
            assertThat(List.of(back.previous(), back.previous(), back.previous(), back.previous()))
                .containsExactly("last", "", longLine, "first");
            assertThat(back.previous()).isNull();
        }
        try (BackwardLines empty = new BackwardLines(Files.writeString(dir.resolve("e"), "no newline"))) {
            assertThat(empty.end()).isZero();
            assertThat(empty.previous()).isNull();
        }
    }
}

package dev.netcon.receiver;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The file store on a real file system: idle hosts give back their buffer and file, and lose nothing. */
class FileStoreTest {
    @Test
    void shouldReleaseIdleHostsAndAppendWhenTheyComeBack(@TempDir final Path dir) throws Exception {
        final FileStore.StoreConfig defaults = FileStore.StoreConfig.defaults();
        final FileStore.StoreConfig config = new FileStore.StoreConfig(defaults.rotateBytes(), defaults.rotateAgeMs(),
            defaults.retainAgeMs(), defaults.retainBytes(), 3_600_000, false, defaults.bufferBytes()); // flushes: by hand
        final FileStore store = new FileStore(dir, config, new ReceiverStats());
        for (int host = 0; host < 100; host++) {
            append(store, "host-" + host, "first line of host " + host);
        }
        append(store, "host-0", "second line of host 0");
        store.flush();
        assertThat(store.openHosts()).isEqualTo(100);

        for (int i = 0; i < FileStore.IDLE_FLUSHES_BEFORE_RELEASE - 1; i++) {
            append(store, "host-7", "busy " + i); // host-7 stays active
            store.flush();
        }
        store.flush();
        assertThat(store.openHosts()).as("only the host that kept writing holds a buffer and a file").isEqualTo(1);
        assertThat(store.knownHosts()).as("idle hosts are forgotten: a flood of names cannot grow the store").isEqualTo(1);

        append(store, "host-0", "third line of host 0, after a release");
        store.close();
        assertThat(Files.readAllLines(dir.resolve("host-0").resolve(FileStore.ACTIVE), StandardCharsets.UTF_8))
            .containsExactly("first line of host 0", "second line of host 0", "third line of host 0, after a release");
        assertThat(Files.readAllLines(dir.resolve("host-7").resolve(FileStore.ACTIVE))).hasSize(FileStore.IDLE_FLUSHES_BEFORE_RELEASE);
        assertThat(Files.readAllLines(dir.resolve("host-99").resolve(FileStore.ACTIVE))).containsExactly("first line of host 99");
    }

    @Test
    void shouldKeepLinesWholeAsABusyHostsBufferGrows(@TempDir final Path dir) throws Exception {
        final FileStore store = new FileStore(dir, FileStore.StoreConfig.defaults(), new ReceiverStats());
        final java.util.List<String> lines = new java.util.ArrayList<>();
        final java.util.Random rnd = new java.util.Random(42);
        final ReceiverStats stats = new ReceiverStats();
        long failed = 0;
        for (int i = 0; i < 2000; i++) {
            final String line = "line " + i + " " + "x".repeat(rnd.nextInt(3) == 0 ? rnd.nextInt(20_000) : rnd.nextInt(200));
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            if (store.append("busy", new UnsafeBuffer(bytes), 0, bytes.length)) {
                lines.add(line);
            } else {
                failed++; // the flusher was a whole buffer behind: dropped and counted, never torn
            }
            if (i % 50 == 0) {
                Thread.sleep(1); // a pace a disk keeps up with, mostly
            }
        }
        store.close();
        assertThat(Files.readAllLines(dir.resolve("busy").resolve(FileStore.ACTIVE))).isEqualTo(lines);
        assertThat(failed).isLessThan(2000);
    }

    /** Appends never touch the disk; a failing write counts its lines, and writing resumes once the disk is back. */
    @Test
    void shouldCountLinesAFailingWriteLosesAndResumeAfter(@TempDir final Path dir) throws Exception {
        final FileStore.StoreConfig defaults = FileStore.StoreConfig.defaults();
        final FileStore.StoreConfig config = new FileStore.StoreConfig(defaults.rotateBytes(), defaults.rotateAgeMs(),
            defaults.retainAgeMs(), defaults.retainBytes(), 3_600_000, false, defaults.bufferBytes());
        final ReceiverStats stats = new ReceiverStats();
        final FileStore store = new FileStore(dir, config, stats);
        Files.writeString(dir.resolve("sick"), "a file where the host's directory should be"); // every write fails
        for (int i = 0; i < 10; i++) {
            append(store, "sick", "lost line " + i); // accepted into the buffer: no I/O on the caller's thread
        }
        store.flush();
        assertThat(stats.storeFailures.get()).as("lines the failed write lost, counted").isEqualTo(10);

        Files.delete(dir.resolve("sick")); // the disk is back
        append(store, "sick", "line after recovery");
        store.close();
        assertThat(Files.readAllLines(dir.resolve("sick").resolve(FileStore.ACTIVE))).containsExactly("line after recovery");
        assertThat(stats.storeFailures.get()).isEqualTo(10);
    }

    private static void append(final FileStore store, final String host, final String line) {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertThat(store.append(host, new UnsafeBuffer(bytes), 0, bytes.length)).isTrue();
    }
}

package dev.netcon.receiver;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link RecordSink}: one directory per host under the data directory, an append-only
 * {@code netcon.log} per host, rotated to {@code netcon-<UTC time>-<n>.log} by size and age, rotated files
 * deleted by age and total size. Lines are buffered per host and written by the worker when the buffer
 * fills, and by a flusher thread every flush interval (then fsynced if configured). A torn last line left by
 * a crash is cut off when a file is opened. A write that fails (disk full) drops the buffered lines, counts
 * them as store failures, and the store tries again with the next lines.
 */
public final class FileStore implements RecordSink {
    static final String ACTIVE = "netcon.log";
    private static final DateTimeFormatter ROTATED = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dataDir;
    private final StoreConfig config;
    private final ReceiverStats stats;
    private final Map<String, HostLog> logs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    /** Size, age and flush settings of the file store. */
    public record StoreConfig(long rotateBytes, long rotateAgeMs, long retainAgeMs, long retainBytes, long flushIntervalMs,
                              boolean fsync, int bufferBytes) {
        public static StoreConfig defaults() {
            return new StoreConfig(64L << 20, TimeUnit.DAYS.toMillis(1), TimeUnit.DAYS.toMillis(7), 1L << 30, 200, false, 64 << 10);
        }
    }

    public FileStore(final Path dataDir, final StoreConfig config, final ReceiverStats stats) {
        this.dataDir = dataDir;
        this.config = config;
        this.stats = stats;
        try {
            Files.createDirectories(dataDir);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dataDir)) {
            final String message = "data directory " + dataDir + " is not writable";
            throw new UncheckedIOException(message, new IOException(message));
        }
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "netcon-flusher");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flush, config.flushIntervalMs(), config.flushIntervalMs(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean append(final String host, final DirectBuffer line, final int offset, final int length) {
        while (true) {
            HostLog log = logs.get(host);
            if (log == null) {
                log = logs.computeIfAbsent(host, h -> new HostLog(h, dataDir.resolve(h)));
            }
            final int result = log.append(line, offset, length);
            if (result != HostLog.RETIRED) {
                return result == HostLog.APPENDED;
            }
            // The flusher retired this idle host between our lookup and the append: take a fresh one.
        }
    }

    /** Hosts the store currently keeps state for (idle ones are forgotten); for tests. */
    int knownHosts() {
        return logs.size();
    }

    /** Hosts whose buffer and file are currently held (not released for idleness); for tests and metrics. */
    int openHosts() {
        int n = 0;
        for (final HostLog log : logs.values()) {
            n += log.isReleased() ? 0 : 1;
        }
        return n;
    }

    @Override
    public void flush() {
        for (final HostLog log : logs.values()) {
            log.flush(config.fsync());
        }
    }

    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (final HostLog log : logs.values()) {
            log.close();
        }
    }

    /**
     * Flushes without a single append before an idle host's buffer is released and its file closed: with
     * thousands of hosts, idle ones must cost neither a buffer nor a file descriptor (reopening is cheap).
     */
    static final int IDLE_FLUSHES_BEFORE_RELEASE = 50;
    /** A host's buffer starts this small and grows while the host is busy: most of thousands of hosts are quiet. */
    static final int INITIAL_BUFFER_BYTES = 4096;

    /** One host's active file and its write buffer; appends from several workers are serialised here. */
    final class HostLog {
        static final int APPENDED = 0;
        static final int FAILED = 1;
        /** Released for idleness and forgotten by the store: the caller must look the host up again. */
        static final int RETIRED = 2;

        private final String host;
        private final Path dir;
        private boolean retired;
        /** Allocated on the first append after being idle; null while the host is idle. */
        private ByteBuffer buffer;
        private int bufferedLines;
        private boolean appendedSinceFlush;
        private int idleFlushes;
        private FileChannel channel;
        private long size;
        private long openedMs;
        private int rotation;

        HostLog(final String host, final Path dir) {
            this.host = host;
            this.dir = dir;
        }

        synchronized int append(final DirectBuffer line, final int offset, final int length) {
            if (retired) {
                return RETIRED;
            }
            if (length + 1 > config.bufferBytes()) {
                stats.storeFailures.incrementAndGet();
                return FAILED;
            }
            if (buffer == null) {
                buffer = ByteBuffer.allocate(Math.min(INITIAL_BUFFER_BYTES, config.bufferBytes()));
            }
            appendedSinceFlush = true;
            if (buffer.remaining() < length + 1) {
                if (buffer.capacity() < config.bufferBytes()) {
                    grow(length + 1);
                } else if (!writeOut()) {
                    return FAILED;
                }
            }
            line.getBytes(offset, buffer, buffer.position(), length);
            buffer.position(buffer.position() + length);
            buffer.put((byte) '\n');
            bufferedLines++;
            return APPENDED;
        }

        /** A busy host's buffer doubles up to the configured size; a quiet one stays small. */
        private void grow(final int needed) {
            int capacity = buffer.capacity();
            while (capacity - buffer.position() < needed && capacity < config.bufferBytes()) {
                capacity = Math.min(config.bufferBytes(), capacity * 2);
            }
            final ByteBuffer bigger = ByteBuffer.allocate(capacity);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
            if (buffer.remaining() < needed) {
                writeOut(); // at the configured size and still short: write what is held
            }
        }

        synchronized void flush(final boolean fsync) {
            writeOut();
            if (fsync && channel != null) {
                try {
                    channel.force(false);
                } catch (final IOException e) {
                    // The lines reached the page cache; a failed fsync is retried on the next flush.
                }
            }
            idleFlushes = appendedSinceFlush ? 0 : idleFlushes + 1;
            appendedSinceFlush = false;
            if (idleFlushes >= IDLE_FLUSHES_BEFORE_RELEASE && (buffer == null || buffer.position() == 0)) {
                // Idle and everything written: forget the host, so that a flood of names cannot grow the store.
                buffer = null;
                closeQuietly();
                retired = true;
                logs.remove(host, this);
            }
        }

        synchronized boolean isReleased() {
            return buffer == null && channel == null;
        }

        synchronized void close() {
            flush(true);
            if (channel != null) {
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // nothing left to lose: every line was written or counted
                }
                channel = null;
            }
        }

        /** Writes the buffer to the file, rotating first if due; on failure drops and counts the buffered lines. */
        private boolean writeOut() {
            if (buffer == null || buffer.position() == 0) {
                return true;
            }
            buffer.flip();
            try {
                if (channel == null) {
                    open();
                } else if (size + buffer.remaining() > config.rotateBytes()
                    || System.currentTimeMillis() - openedMs > config.rotateAgeMs()) {
                    rotate();
                }
                while (buffer.hasRemaining()) {
                    size += channel.write(buffer);
                }
                buffer.clear();
                bufferedLines = 0;
                return true;
            } catch (final IOException e) {
                stats.storeFailures.addAndGet(bufferedLines);
                buffer.clear();
                bufferedLines = 0;
                closeQuietly();
                return false;
            }
        }

        private void open() throws IOException {
            Files.createDirectories(dir);
            final Path file = dir.resolve(ACTIVE);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            cutTornLine();
            size = channel.size();
            channel.position(size);
            openedMs = System.currentTimeMillis();
            // Appends only from here on; reopening in append mode keeps that true across restarts.
            channel.close();
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        /** A crash can leave a last line without its newline: cut it so that it is never served. */
        private void cutTornLine() throws IOException {
            long end = channel.size();
            if (end == 0) {
                return;
            }
            final ByteBuffer one = ByteBuffer.allocate(4096);
            long pos = end;
            while (pos > 0) {
                final int n = (int) Math.min(one.capacity(), pos);
                one.clear().limit(n);
                channel.read(one, pos - n);
                for (int i = n - 1; i >= 0; i--) {
                    if (one.get(i) == '\n') {
                        final long keep = pos - n + i + 1;
                        if (keep != end) {
                            channel.truncate(keep);
                            stats.tornLinesCut.incrementAndGet();
                        }
                        return;
                    }
                }
                pos -= n;
            }
            channel.truncate(0);
            stats.tornLinesCut.incrementAndGet();
        }

        private void rotate() throws IOException {
            channel.close();
            channel = null;
            final String stamp = ROTATED.format(java.time.Instant.now());
            Path target;
            do {
                target = dir.resolve("netcon-" + stamp + "-" + rotation++ + ".log");
            } while (Files.exists(target));
            Files.move(dir.resolve(ACTIVE), target);
            enforceRetention();
            open();
        }

        private void enforceRetention() throws IOException {
            final List<Path> rotated = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "netcon-*.log")) {
                files.forEach(rotated::add);
            }
            rotated.sort(null); // names sort chronologically
            long total = 0;
            for (final Path p : rotated) {
                total += Files.size(p);
            }
            final long now = System.currentTimeMillis();
            for (final Path p : rotated) {
                final boolean tooOld = now - Files.getLastModifiedTime(p).toMillis() > config.retainAgeMs();
                if (tooOld || total > config.retainBytes()) {
                    total -= Files.size(p);
                    Files.deleteIfExists(p);
                }
            }
        }

        private void closeQuietly() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // reopened on the next write
                }
                channel = null;
            }
        }
    }
}

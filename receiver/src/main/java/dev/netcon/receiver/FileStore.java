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
import java.util.concurrent.TimeUnit;

/**
 * The default {@link RecordSink}: one directory per host under the data directory, an append-only
 * {@code netcon.log} per host, rotated to {@code netcon-<UTC time>-<n>.log} by size and age, rotated files
 * deleted by age and total size. Lines are buffered per host; only the flusher thread writes files: a host's
 * full buffer as soon as it is handed over, and every buffer each flush interval (then fsynced if configured).
 * Workers never wait for a disk (see {@link HostLog}). A torn last line left by
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
    /** Hosts whose full buffer waits to be written; polled by the flusher thread (offer allocates nothing). */
    private final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<HostLog> handedOff =
        new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(4096);
    private final Thread flusher;
    private volatile boolean running = true;

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
        flusher = new Thread(this::runFlusher, "netcon-flusher");
        flusher.setDaemon(true);
        flusher.start();
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

    /** The flusher thread: writes handed-off buffers within a millisecond, and everything each flush interval. */
    private void runFlusher() {
        final long intervalNs = TimeUnit.MILLISECONDS.toNanos(config.flushIntervalMs());
        long nextFlush = System.nanoTime() + intervalNs;
        while (running) {
            HostLog log;
            while ((log = handedOff.poll()) != null) {
                log.writeHanded();
            }
            if (System.nanoTime() - nextFlush >= 0) {
                flush();
                nextFlush = System.nanoTime() + intervalNs;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(5));
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

    /**
     * One host's active file and its buffers. Workers append lines under this object's lock and never touch
     * the file: a full buffer is handed to the flusher thread, which writes it while appends go on into a
     * second one. If that one fills too before the flusher is done (a slow or stalled disk), lines are dropped
     * and counted as store failures: at most two buffers per host ever wait, and ingest never waits for a disk.
     */
    final class HostLog {
        static final int APPENDED = 0;
        static final int FAILED = 1;
        /** Released for idleness and forgotten by the store: the caller must look the host up again. */
        static final int RETIRED = 2;

        private final String host;
        private final Path dir;
        /** Serialises the file (writes, rotation, close); held by the writing thread, never by appends. */
        private final Object fileLock = new Object();
        private boolean retired;
        /** Lines being appended; allocated on the first append after being idle, null while idle. */
        private ByteBuffer buffer;
        private int bufferedLines;
        /** A full buffer waiting for the flusher; null when none waits. */
        private ByteBuffer handed;
        private int handedLines;
        /** A written buffer kept for the next hand-off. */
        private ByteBuffer spare;
        private boolean appendedSinceFlush;
        private int idleFlushes;
        // File state: under fileLock.
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
                return FAILED; // counted by the caller, per source
            }
            if (buffer == null) {
                buffer = takeSpareOr(INITIAL_BUFFER_BYTES);
            }
            appendedSinceFlush = true;
            if (buffer.remaining() < length + 1) {
                grow(length + 1);
                if (buffer.remaining() < length + 1 && !handOff()) {
                    return FAILED; // the writer is behind by a whole buffer already; counted by the caller
                }
            }
            line.getBytes(offset, buffer, buffer.position(), length);
            buffer.position(buffer.position() + length);
            buffer.put((byte) '\n');
            bufferedLines++;
            return APPENDED;
        }

        private ByteBuffer takeSpareOr(final int capacity) {
            final ByteBuffer b = spare != null ? spare : ByteBuffer.allocate(Math.min(capacity, config.bufferBytes()));
            spare = null;
            return b;
        }

        /** A busy host's buffer doubles up to the configured size; a quiet one stays small. */
        private void grow(final int needed) {
            int capacity = buffer.capacity();
            while (capacity - buffer.position() < needed && capacity < config.bufferBytes()) {
                capacity = Math.min(config.bufferBytes(), capacity * 2);
            }
            if (capacity != buffer.capacity()) {
                final ByteBuffer bigger = ByteBuffer.allocate(capacity);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        /** Gives the current buffer to the flusher and starts a new one; false if one already waits. Under the lock. */
        private boolean handOff() {
            if (handed != null) {
                return false;
            }
            if (buffer.position() == 0) {
                return true;
            }
            handed = buffer;
            handedLines = bufferedLines;
            buffer = takeSpareOr(handed.capacity());
            bufferedLines = 0;
            handedOff.offer(this); // when more hosts wait than the queue holds, the periodic flush writes this one
            return true;
        }

        /**
         * Writes the handed buffer, if any (flusher thread, or close()). The file lock makes one writer own it;
         * the append lock is only taken for moments, so appends go on during the write.
         */
        void writeHanded() {
            synchronized (fileLock) {
                final ByteBuffer b;
                final int lines;
                synchronized (this) {
                    b = handed;
                    lines = handedLines;
                }
                if (b == null) {
                    return;
                }
                write(b, lines);
                synchronized (this) {
                    b.clear();
                    handed = null;
                    spare = b;
                }
            }
        }

        void flush(final boolean fsync) {
            writeHanded();
            synchronized (this) {
                if (buffer != null) {
                    handOff();
                }
            }
            writeHanded();
            if (fsync) {
                synchronized (fileLock) {
                    if (channel != null) {
                        try {
                            channel.force(false);
                        } catch (final IOException e) {
                            // The lines reached the page cache; a failed fsync is retried on the next flush.
                        }
                    }
                }
            }
            final boolean retire;
            synchronized (this) {
                idleFlushes = appendedSinceFlush ? 0 : idleFlushes + 1;
                appendedSinceFlush = false;
                retire = idleFlushes >= IDLE_FLUSHES_BEFORE_RELEASE && handed == null
                    && (buffer == null || buffer.position() == 0);
                if (retire) {
                    // Idle and everything written: forget the host, so that a flood of names cannot grow the store.
                    buffer = null;
                    spare = null;
                    retired = true;
                    logs.remove(host, this);
                }
            }
            if (retire) {
                synchronized (fileLock) {
                    closeQuietly();
                }
            }
        }

        boolean isReleased() {
            final boolean noBuffers;
            synchronized (this) {
                noBuffers = buffer == null && handed == null;
            }
            synchronized (fileLock) {
                return noBuffers && channel == null;
            }
        }

        void close() {
            flush(true);
            synchronized (fileLock) {
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (final IOException ignored) {
                        // nothing left to lose: every line was written or counted
                    }
                    channel = null;
                }
            }
        }

        /** Writes a buffer to the file, rotating first if due; on failure counts its lines as store failures. */
        private void write(final ByteBuffer b, final int lines) {
            b.flip();
            try {
                if (channel == null) {
                    open();
                } else if (size + b.remaining() > config.rotateBytes()
                    || System.currentTimeMillis() - openedMs > config.rotateAgeMs()) {
                    rotate();
                }
                while (b.hasRemaining()) {
                    size += channel.write(b);
                }
            } catch (final IOException e) {
                stats.storeFailures.addAndGet(lines);
                closeQuietly();
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

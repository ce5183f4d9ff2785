package dev.netcon.cli;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code netcon send --kmsg} reads kernel records from, one at a time, each in the /dev/kmsg format
 * (Documentation/ABI/testing/dev-kmsg): {@code prefix,seq,ts_usec,flag[,field...];text\n} then optional
 * dictionary lines {@code " KEY=value\n"}, text and values already {@code \xNN}-escaped by the kernel.
 *
 * <ul>
 * <li>{@link Device}: a character device (/dev/kmsg), where every read() returns exactly one record, or fails
 *     with EPIPE once when the reader fell behind and records were overwritten (the next read goes on from the
 *     oldest record left), or with EINVAL if the buffer cannot hold the record (hence {@link #BUFFER}).</li>
 * <li>{@link Stream}: a regular file or a FIFO holding records in that format, split by lines: a record is a
 *     line that does not start with a space plus the lines after it that do. So a record ends when the next one
 *     starts, or at the end of the input: meant for tests and replays.</li>
 * </ul>
 *
 * Both read through a {@link FileChannel}, so that interrupting the reading thread (SIGTERM) ends a blocked read.
 */
abstract class KmsgInput implements Closeable {
    /** {@link #next()}: the input ended (a file's end, a FIFO's writer closed). */
    static final int EOF = -1;
    /** {@link #next()}: records were overwritten before they could be read; reading goes on after them. */
    static final int OVERRUN = -2;
    /** Read buffer: the kernel's records are at most 8 KiB (CONSOLE_EXT_LOG_MAX); a short buffer fails with EINVAL. */
    static final int BUFFER = 16 * 1024;

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    /**
     * Opens {@code path}: a character device record by record, anything else line by line.
     *
     * @throws IOException as {@link java.nio.file.Files} throws it: NoSuchFileException, AccessDeniedException, or a
     *     FileSystemException whose reason is "Operation not permitted" (EPERM: /dev/kmsg without CAP_SYSLOG)
     */
    static KmsgInput open(final Path path) throws IOException {
        final boolean device = isCharacterDevice(path);
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        return device ? new Device(channel) : new Stream(channel);
    }

    static boolean isCharacterDevice(final Path path) throws IOException {
        try {
            final Object mode = Files.getAttribute(path, "unix:mode");
            return mode instanceof Integer m && (m & S_IFMT) == S_IFCHR;
        } catch (final UnsupportedOperationException | IllegalArgumentException e) {
            return !Files.isRegularFile(path) && path.startsWith("/dev/"); // no unix view: guess from the name
        }
    }

    /** Reads the next record; its bytes are {@link #buffer()}{@code [offset(), offset() + length)} until the next call. */
    abstract int next() throws IOException;

    abstract DirectBuffer buffer();

    abstract int offset();

    abstract boolean isDevice();

    /** /dev/kmsg: one read() is one record. */
    static final class Device extends KmsgInput {
        /** Consecutive read errors other than EPIPE: a few are taken for overruns, more end the relay. */
        private static final int MAX_UNKNOWN_ERRORS = 3;

        private final FileChannel channel;
        private final ByteBuffer bytes = ByteBuffer.allocateDirect(BUFFER);
        private final UnsafeBuffer view = new UnsafeBuffer(bytes);
        private int unknownErrors;

        Device(final FileChannel channel) {
            this.channel = channel;
        }

        @Override
        int next() throws IOException {
            while (true) {
                bytes.clear();
                final int n;
                try {
                    n = channel.read(bytes);
                } catch (final java.nio.channels.ClosedChannelException e) {
                    throw e;
                } catch (final IOException e) {
                    // EPIPE is the one error a read with a large enough buffer gets; its message may be translated,
                    // so another error also counts as an overrun, unless it repeats.
                    if (isEpipe(e) || ++unknownErrors <= MAX_UNKNOWN_ERRORS) {
                        return OVERRUN;
                    }
                    throw e;
                }
                if (n != 0) {
                    unknownErrors = 0;
                    return n < 0 ? EOF : n;
                }
            }
        }

        private static boolean isEpipe(final IOException e) {
            final String m = e.getMessage();
            return m != null && m.contains("Broken pipe");
        }

        @Override
        DirectBuffer buffer() {
            return view;
        }

        @Override
        int offset() {
            return 0;
        }

        @Override
        boolean isDevice() {
            return true;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A file or FIFO of records, split by lines. */
    static final class Stream extends KmsgInput {
        /** A record longer than this is cut into pieces (which then fail to validate as records). */
        static final int CAPACITY = 64 * 1024;

        private final ReadableByteChannel channel;
        private final byte[] data = new byte[CAPACITY];
        private final ByteBuffer bytes = ByteBuffer.wrap(data);
        private final UnsafeBuffer view = new UnsafeBuffer(data);
        private int start;
        private int limit;
        private int recordOffset;
        private boolean ended;

        Stream(final ReadableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        int next() throws IOException {
            while (true) {
                while (start < limit && data[start] == '\n') {
                    start++; // blank lines between records
                }
                final int end = recordEnd();
                if (end > 0) {
                    return take(end);
                }
                if (ended) {
                    return start < limit ? take(limit) : EOF;
                }
                if (start > 0) {
                    System.arraycopy(data, start, data, 0, limit - start);
                    limit -= start;
                    start = 0;
                }
                if (limit == data.length) {
                    return take(limit); // longer than the buffer: pass on what there is
                }
                bytes.limit(data.length).position(limit);
                final int n = channel.read(bytes);
                if (n < 0) {
                    ended = true;
                } else {
                    limit += n;
                }
            }
        }

        /** End (exclusive) of the record at {@link #start} if it is known to be complete, else -1. */
        private int recordEnd() {
            int i = start;
            while (true) {
                while (i < limit && data[i] != '\n') {
                    i++;
                }
                if (i + 1 >= limit) {
                    return -1; // the line, or what comes after it, is not all here yet
                }
                if (data[i + 1] != ' ') {
                    return i + 1;
                }
                i++;
            }
        }

        private int take(final int end) {
            recordOffset = start;
            start = end;
            return end - recordOffset;
        }

        @Override
        DirectBuffer buffer() {
            return view;
        }

        @Override
        int offset() {
            return recordOffset;
        }

        @Override
        boolean isDevice() {
            return false;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

package dev.netcon.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file's complete lines read from its end towards its start, a block at a time, so that the last lines of a
 * large file cost what they are long, not what the file is. A last line without its newline (still being
 * written) is not one of them: {@link #end()} is the offset just after the last newline, where reading
 * forward for new lines continues.
 */
final class BackwardLines implements AutoCloseable {
    private static final int BLOCK = 64 * 1024;

    private final FileChannel channel;
    private final long end;
    /** The file's bytes [windowStart, windowStart + window.length), read so far and not yet returned. */
    private byte[] window = new byte[0];
    private long windowStart;
    /** Lines before this offset are still to be returned; it is just after a newline (or 0). */
    private long position;

    BackwardLines(final Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        final long length = channel.size();
        windowStart = length;
        final long lastNewline = newlineBefore(length);
        end = lastNewline + 1; // 0 when there is no newline at all
        position = end;
    }

    /** The offset just after the last complete line. */
    long end() {
        return end;
    }

    /** The line before the previous one returned (the last line first), without its newline; null at the start. */
    String previous() throws IOException {
        if (position == 0) {
            return null;
        }
        final long newline = position - 1;
        final long start = newlineBefore(newline) + 1;
        final String line = new String(window, (int) (start - windowStart), (int) (newline - start), StandardCharsets.UTF_8);
        position = start;
        return line;
    }

    /** The offset of the last newline before {@code limit}, or -1; reads earlier blocks into the window as needed. */
    private long newlineBefore(final long limit) throws IOException {
        long i = limit - 1;
        while (i >= 0) {
            if (i < windowStart) {
                readBlockBefore(limit);
            }
            if (window[(int) (i - windowStart)] == '\n') {
                return i;
            }
            i--;
        }
        return -1;
    }

    /** Prepends the block before the window, keeping of the window only what is before {@code keepUntil}. */
    private void readBlockBefore(final long keepUntil) throws IOException {
        final long start = Math.max(0, windowStart - BLOCK);
        final int kept = (int) (Math.min(keepUntil, windowStart + window.length) - windowStart);
        final byte[] grown = new byte[(int) (windowStart - start) + kept];
        final ByteBuffer into = ByteBuffer.wrap(grown, 0, (int) (windowStart - start));
        while (into.hasRemaining()) {
            if (channel.read(into, start + into.position()) < 0) {
                throw new IOException("file shrank while being read");
            }
        }
        System.arraycopy(window, 0, grown, (int) (windowStart - start), kept);
        window = grown;
        windowStart = start;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package dev.netcon.receiver;

import org.agrona.DirectBuffer;

/**
 * Where stored lines go. The file store is the one implementation today; another (Kafka, say) can take its
 * place. Lines are the stored line format (docs/storage.md) without the trailing newline.
 */
public interface RecordSink extends AutoCloseable {
    /**
     * Appends one line for {@code host}. Must not block for long: an implementation buffers, and returns false
     * (the caller counts a store failure) when it cannot take the line.
     */
    boolean append(String host, DirectBuffer line, int offset, int length);

    /** Pushes buffered lines out (and fsyncs if configured). */
    void flush();

    @Override
    void close();
}

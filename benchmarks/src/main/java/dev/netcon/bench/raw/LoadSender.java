package dev.netcon.bench.raw;

import java.net.InetSocketAddress;

/** A bare UDP sender for the raw baseline: sends one fixed datagram as fast as it can until stopped. */
interface LoadSender extends AutoCloseable {
    /** Starts sending {@code payload} to {@code target} on a thread of its own. */
    void start(InetSocketAddress target, byte[] payload) throws Exception;

    /** Datagrams handed to the kernel so far. */
    long sent();

    /** How long to let it run before its rate is measured. */
    default long warmupMillis() {
        return 500;
    }

    /** One line for the report: how it sends. */
    String describe();

    /** Stops sending and releases the socket. */
    @Override
    void close();
}

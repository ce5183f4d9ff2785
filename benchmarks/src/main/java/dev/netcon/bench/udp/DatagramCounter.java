package dev.netcon.bench.udp;

import java.net.InetSocketAddress;

/** A loopback UDP receiver that only counts what arrives: the measure of "delivered". */
public interface DatagramCounter extends AutoCloseable {
    /** Where senders send to. */
    InetSocketAddress address();

    /** Datagrams received so far. */
    long received();

    /** One line for reports: what kind of receiver this is. */
    String describe();

    @Override
    void close();
}

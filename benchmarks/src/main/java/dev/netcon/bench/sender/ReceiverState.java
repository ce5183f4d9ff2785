package dev.netcon.bench.sender;

import dev.netcon.bench.udp.CountingReceiver;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetSocketAddress;

/** The loopback receiver the UDP variants send to, one per benchmark run (so one per forked JVM). */
@State(Scope.Benchmark)
public class ReceiverState {
    private CountingReceiver receiver;

    @Setup(Level.Trial)
    public void open() throws IOException {
        receiver = new CountingReceiver();
    }

    @TearDown(Level.Trial)
    public void close() {
        receiver.close();
    }

    InetSocketAddress address() {
        return receiver.address();
    }

    long received() {
        return receiver.received();
    }

    String describe() {
        return receiver.describe();
    }
}

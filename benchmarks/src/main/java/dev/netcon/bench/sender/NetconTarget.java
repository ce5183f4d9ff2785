package dev.netcon.bench.sender;

import dev.netcon.sender.NetconSender;
import dev.netcon.sender.SenderStats;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;

/** netcon's sender with its defaults, sending to the benchmark's loopback receiver. */
@State(Scope.Benchmark)
public class NetconTarget {
    /** The builder's default ring, named here so that the docs can quote it. */
    private static final int RING_BYTES = 1 << 20;

    private NetconSender sender;
    private ReceiverState receiver;
    private long receivedAtStart;

    @Setup(Level.Trial)
    public void start(final ReceiverState receiver) {
        this.receiver = receiver;
        this.receivedAtStart = receiver.received();
        sender = NetconSender.builder().target(receiver.address()).hostName("bench").ringCapacity(RING_BYTES)
            .closeTimeout(Duration.ofSeconds(5)).build();
        report(sender.stats(), 0); // see Reports
    }

    boolean write(final String text) {
        return sender.write(NetconSender.LEVEL_INFO, text);
    }

    /** Drains, then says where the records went: the sender's counters against what the receiver counted. */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        sender.close();
        Thread.sleep(200); // let the receiver read what is still in its socket buffer
        final SenderStats s = sender.stats();
        final long received = receiver.received() - receivedAtStart;
        System.out.println(report(s, received));
    }

    private static String report(final SenderStats s, final long received) {
        return System.lineSeparator() + "[netcon] whole run: " + s + "; receiver counted " + received
            + " datagrams (" + Reports.percent(received, s.sentDatagrams()) + " of the datagrams sent)";
    }
}

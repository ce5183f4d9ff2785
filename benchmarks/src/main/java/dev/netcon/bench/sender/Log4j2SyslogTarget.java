package dev.netcon.bench.sender;

import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Log4j2's garbage-free all-async logger (wait strategy {@code Sleep}) with its Syslog appender over UDP to
 * the loopback receiver.
 */
@State(Scope.Benchmark)
public class Log4j2SyslogTarget {
    private AsyncLoggerContext context;
    private Logger logger;
    private ReceiverState receiver;
    private long receivedAtStart;

    @Setup(Level.Trial)
    public void start(final ReceiverState receiver) {
        this.receiver = receiver;
        this.receivedAtStart = receiver.received();
        Log4j2Contexts.useWaitStrategy(Log4j2Contexts.SLEEP);
        context = Log4j2Contexts.syslogUdp(receiver.address());
        logger = context.getLogger(Log4j2Contexts.LOGGER_NAME);
    }

    void write(final String text) {
        logger.info(text);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        context.stop(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        System.out.printf("%n[log4j2 syslog udp] whole run: receiver counted %,d datagrams%n",
            receiver.received() - receivedAtStart);
    }
}

package dev.netcon.bench.sender;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetSocketAddress;

/**
 * Logback's AsyncAppender (defaults: a 256-event queue, INFO and below discarded once it is 80% full, the
 * caller waits otherwise) wrapping its SyslogAppender (UDP, one datagram per event), in a LoggerContext of its
 * own: SLF4J's global binding is never touched.
 */
@State(Scope.Benchmark)
public class LogbackSyslogTarget {
    private LoggerContext context;
    private Logger logger;
    private ReceiverState receiver;
    private long receivedAtStart;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void start(final ReceiverState receiver) {
        this.receiver = receiver;
        this.receivedAtStart = receiver.received();
        context = new LoggerContext();
        context.setName("bench-logback");
        // SLF4J's provider would install this; a context of our own needs it set (AsyncAppender copies the MDC).
        context.setMDCAdapter(new LogbackMDCAdapter());
        final InetSocketAddress target = receiver.address();

        final SyslogAppender syslog = new SyslogAppender();
        syslog.setContext(context);
        syslog.setName("syslog");
        syslog.setSyslogHost(target.getAddress().getHostAddress());
        syslog.setPort(target.getPort());
        syslog.setFacility("USER");
        syslog.setSuffixPattern("bench %msg");
        syslog.start();

        final AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.addAppender(syslog);
        async.start();

        final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(async);
        context.start();
        logger = context.getLogger("bench");
        report(0); // see Reports
        printProblems();
    }

    /** Logback reports its own configuration problems only to its status manager: show them. */
    private void printProblems() {
        for (final Status status : context.getStatusManager().getCopyOfStatusList()) {
            if (status.getEffectiveLevel() >= Status.WARN) {
                System.out.println("[logback] " + status);
            }
        }
    }

    void write(final String text) {
        logger.info(text);
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void stop() {
        final long received = receiver.received() - receivedAtStart;
        printProblems();
        context.stop(); // its queue holds at most 256 events
        System.out.println(report(received));
    }

    private static String report(final long received) {
        return System.lineSeparator() + "[logback syslog udp] whole run: receiver counted " + received + " datagrams";
    }
}

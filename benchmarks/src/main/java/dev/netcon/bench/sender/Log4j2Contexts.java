package dev.netcon.bench.sender;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

import java.net.InetSocketAddress;

/**
 * Builds Log4j2 all-async logger contexts in code: an {@link AsyncLoggerContext} (what
 * AsyncLoggerContextSelector would create) started with one appender on the root logger. Log4j2's global
 * context is never touched, so no configuration file is involved. Everything else is Log4j2's default for a
 * non-web application: garbage-free mode (thread-local reusable messages, preallocated ring-buffer events),
 * a 256 Ki-slot ring buffer, and a caller that waits when the ring is full.
 *
 * <p>The one setting chosen is the ring's wait strategy. Log4j2's default, {@code Timeout}, parks the
 * background thread on a lock and condition, and each park allocates a condition node (24 B per call here
 * when the background thread parks after every event), so the garbage-free configuration is {@code Sleep}
 * (spin, yield, then park 100 ns; producers never signal).
 */
final class Log4j2Contexts {
    static final String LOGGER_NAME = "bench";
    private static final String APPENDER = "out";

    /** Log4j2's wait strategies: the garbage-free one, and the default. */
    static final String SLEEP = "Sleep";
    static final String TIMEOUT = "Timeout";

    private Log4j2Contexts() {
    }

    /**
     * Sets the wait strategy of every async logger context started later in this JVM. Log4j2 reads it only as
     * a property; each benchmark runs in a JVM of its own, so this cannot leak into another variant.
     */
    static void useWaitStrategy(final String strategy) {
        System.setProperty("log4j2.asyncLoggerWaitStrategy", strategy);
    }

    /** Log4j2's Null appender: the events are taken off the ring and dropped, nothing is formatted. */
    static AsyncLoggerContext nullAppender() {
        final ConfigurationBuilder<BuiltConfiguration> b = builder("bench-log4j2-null");
        return start(b, b.newAppender(APPENDER, "Null"));
    }

    /** Log4j2's Syslog appender over UDP (BSD format, one datagram per event) to {@code target}. */
    static AsyncLoggerContext syslogUdp(final InetSocketAddress target) {
        final ConfigurationBuilder<BuiltConfiguration> b = builder("bench-log4j2-syslog");
        return start(b, b.newAppender(APPENDER, "Syslog")
            .addAttribute("host", target.getAddress().getHostAddress())
            .addAttribute("port", target.getPort())
            .addAttribute("protocol", "UDP")
            .addAttribute("appName", "bench")
            .addAttribute("facility", "USER"));
    }

    private static ConfigurationBuilder<BuiltConfiguration> builder(final String name) {
        final ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setConfigurationName(name);
        b.setStatusLevel(Level.WARN);
        return b;
    }

    private static AsyncLoggerContext start(final ConfigurationBuilder<BuiltConfiguration> b,
                                            final AppenderComponentBuilder appender) {
        b.add(appender);
        b.add(b.newRootLogger(Level.INFO).add(b.newAppenderRef(APPENDER)));
        final BuiltConfiguration config = b.build(false); // the context initialises and starts it
        final AsyncLoggerContext context = new AsyncLoggerContext(config.getName());
        context.start(config);
        return context;
    }
}

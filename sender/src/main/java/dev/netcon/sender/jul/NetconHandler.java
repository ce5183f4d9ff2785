package dev.netcon.sender.jul;

import dev.netcon.sender.NetconSender;
import dev.netcon.sender.StackTraces;

import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * A {@code java.util.logging} handler that sends through a {@link NetconSender}. Configured by LogManager
 * properties (prefix {@code dev.netcon.sender.jul.NetconHandler.}): {@code target} (host:port, comma-separated
 * for several), {@code hostname}, {@code level}, {@code ringCapacity}, {@code maxRecordBytes}, {@code facility}.
 * Levels: SEVERE → err, WARNING → warning, INFO → info, CONFIG → notice... FINE and below → debug. The logger
 * name and thread id go in the dictionary ({@code logger=}, {@code thread=}).
 */
public final class NetconHandler extends Handler {
    private final NetconSender sender;
    private final StringBuilder text = new StringBuilder(256);

    public NetconHandler() {
        final LogManager m = LogManager.getLogManager();
        final String p = NetconHandler.class.getName() + ".";
        final NetconSender.Builder b = NetconSender.builder().maxRecordBytes(NetconSender.LOGGING_MAX_RECORD_BYTES);
        for (final String t : m.getProperty(p + "target") == null ? new String[] {"127.0.0.1:6666"} : m.getProperty(p + "target").split(",")) {
            b.target(t.trim());
        }
        if (m.getProperty(p + "hostname") != null) {
            b.hostName(m.getProperty(p + "hostname"));
        }
        if (m.getProperty(p + "ringCapacity") != null) {
            b.ringCapacity(Integer.parseInt(m.getProperty(p + "ringCapacity")));
        }
        if (m.getProperty(p + "maxRecordBytes") != null) {
            b.maxRecordBytes(Integer.parseInt(m.getProperty(p + "maxRecordBytes")));
        }
        if (m.getProperty(p + "facility") != null) {
            b.facility(Integer.parseInt(m.getProperty(p + "facility")));
        }
        if (m.getProperty(p + "level") != null) {
            setLevel(Level.parse(m.getProperty(p + "level")));
        }
        setFormatter(new SimpleFormatter());
        this.sender = b.build();
    }

    /** For programmatic use with a sender of your own. */
    public NetconHandler(final NetconSender sender) {
        this.sender = sender;
        setFormatter(new SimpleFormatter());
    }

    static int syslogLevel(final Level level) {
        final int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return NetconSender.LEVEL_ERR;
        }
        if (v >= Level.WARNING.intValue()) {
            return NetconSender.LEVEL_WARNING;
        }
        if (v >= Level.INFO.intValue()) {
            return NetconSender.LEVEL_INFO;
        }
        if (v >= Level.CONFIG.intValue()) {
            return NetconSender.LEVEL_NOTICE;
        }
        return NetconSender.LEVEL_DEBUG;
    }

    @Override
    public void publish(final LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        try {
            synchronized (text) {
                text.setLength(0);
                text.append(getFormatter().formatMessage(record));
                StackTraces.append(text, record.getThrown());
                final String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
                sender.write(syslogLevel(record.getLevel()), text, "logger", logger, "thread",
                    Integer.toString(record.getThreadID()), null, 0);
            }
        } catch (final RuntimeException e) {
            reportError("netcon: " + e.getMessage(), e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public void flush() {
        sender.flush(java.time.Duration.ofSeconds(1));
    }

    @Override
    public void close() {
        sender.close();
    }

    public NetconSender sender() {
        return sender;
    }
}

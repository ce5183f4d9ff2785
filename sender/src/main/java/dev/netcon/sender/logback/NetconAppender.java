package dev.netcon.sender.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.netcon.sender.NetconSender;

import java.util.Map;

/**
 * A Logback appender that sends through a {@link NetconSender}. XML properties: {@code target} (repeatable
 * or comma-separated host:port), {@code hostName}, {@code ringCapacity}, {@code maxRecordBytes}, {@code facility}.
 * ERROR → err, WARN → warning, INFO → info, DEBUG/TRACE → debug; {@code logger=}, {@code thread=} and every
 * MDC entry go in the dictionary; a throwable's trace is part of the one record.
 */
public final class NetconAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final int MAX_FIELDS = 16;

    private final NetconSender.Builder builder = NetconSender.builder().maxRecordBytes(NetconSender.LOGGING_MAX_RECORD_BYTES);
    private boolean targetSet;
    private NetconSender sender;
    private final StringBuilder text = new StringBuilder(256);
    private final CharSequence[] fields = new CharSequence[2 * MAX_FIELDS];

    public void setTarget(final String target) {
        for (final String t : target.split(",")) {
            builder.target(t.trim());
        }
        targetSet = true;
    }

    public void setHostName(final String hostName) {
        builder.hostName(hostName);
    }

    public void setRingCapacity(final int bytes) {
        builder.ringCapacity(bytes);
    }

    public void setMaxRecordBytes(final int bytes) {
        builder.maxRecordBytes(bytes);
    }

    public void setFacility(final int facility) {
        builder.facility(facility);
    }

    @Override
    public void start() {
        if (!targetSet) {
            addWarn("no <target> set: sending to 127.0.0.1:6666");
        }
        try {
            sender = builder.build();
        } catch (final RuntimeException e) {
            addError("netcon appender cannot start: " + e.getMessage(), e);
            return;
        }
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
        if (sender != null) {
            sender.close();
        }
    }

    static int syslogLevel(final Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> NetconSender.LEVEL_ERR;
            case Level.WARN_INT -> NetconSender.LEVEL_WARNING;
            case Level.INFO_INT -> NetconSender.LEVEL_INFO;
            default -> NetconSender.LEVEL_DEBUG;
        };
    }

    @Override
    protected void append(final ILoggingEvent event) {
        synchronized (text) {
            text.setLength(0);
            text.append(event.getFormattedMessage());
            final IThrowableProxy t = event.getThrowableProxy();
            if (t != null) {
                text.append('\n').append(ThrowableProxyUtil.asString(t).stripTrailing());
            }
            int n = 0;
            final Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (final Map.Entry<String, String> e : mdc.entrySet()) {
                    if (n == MAX_FIELDS) {
                        break;
                    }
                    fields[2 * n] = e.getKey();
                    fields[2 * n + 1] = e.getValue() == null ? "" : e.getValue();
                    n++;
                }
            }
            sender.write(syslogLevel(event.getLevel()), text, "logger", event.getLoggerName(), "thread",
                event.getThreadName(), fields, n);
        }
    }

    public NetconSender sender() {
        return sender;
    }
}

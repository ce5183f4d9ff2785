package dev.netcon.sender.log4j2;

import dev.netcon.sender.NetconSender;
import dev.netcon.sender.StackTraces;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;

import org.apache.logging.log4j.util.TriConsumer;

import java.util.concurrent.TimeUnit;

/**
 * A Log4j2 appender ({@code <Netcon name="..." target="host:port" hostName="..."/>}) that sends through a
 * {@link NetconSender}. FATAL → crit, ERROR → err, WARN → warning, INFO → info, DEBUG/TRACE → debug;
 * {@code logger=}, {@code thread=} and the context map go in the dictionary; a throwable's trace is part of
 * the one record. The message is formatted into a reused buffer (garbage-free where Log4j2's message is).
 */
@Plugin(name = "Netcon", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE, printObject = true)
public final class NetconAppender extends AbstractAppender {
    private static final int MAX_FIELDS = 16;

    private final NetconSender sender;
    private final StringBuilder text = new StringBuilder(256);
    private final CharSequence[] fields = new CharSequence[2 * MAX_FIELDS];
    private int fieldCount;

    private static final TriConsumer<String, Object, NetconAppender> COLLECT_FIELD = (key, value, appender) -> {
        if (appender.fieldCount < MAX_FIELDS) {
            appender.fields[2 * appender.fieldCount] = key;
            appender.fields[2 * appender.fieldCount + 1] = String.valueOf(value);
            appender.fieldCount++;
        }
    };

    private NetconAppender(final String name, final Filter filter, final NetconSender sender) {
        super(name, filter, null, true, Property.EMPTY_ARRAY);
        this.sender = sender;
    }

    @PluginFactory
    public static NetconAppender create(@PluginAttribute("name") final String name,
                                        @PluginAttribute("target") final String target,
                                        @PluginAttribute("hostName") final String hostName,
                                        @PluginAttribute(value = "ringCapacity", defaultInt = 1 << 20) final int ringCapacity,
                                        @PluginAttribute(value = "maxRecordBytes", defaultInt = NetconSender.LOGGING_MAX_RECORD_BYTES) final int maxRecordBytes,
                                        @PluginAttribute(value = "facility", defaultInt = 1) final int facility,
                                        @PluginElement("Filter") final Filter filter) {
        final NetconSender.Builder b = NetconSender.builder().ringCapacity(ringCapacity).maxRecordBytes(maxRecordBytes)
            .facility(facility);
        for (final String t : (target == null ? "127.0.0.1:6666" : target).split(",")) {
            b.target(t.trim());
        }
        if (hostName != null) {
            b.hostName(hostName);
        }
        return new NetconAppender(name == null ? "Netcon" : name, filter, b.build());
    }

    static int syslogLevel(final Level level) {
        if (level.isMoreSpecificThan(Level.FATAL)) {
            return NetconSender.LEVEL_CRIT;
        }
        if (level.isMoreSpecificThan(Level.ERROR)) {
            return NetconSender.LEVEL_ERR;
        }
        if (level.isMoreSpecificThan(Level.WARN)) {
            return NetconSender.LEVEL_WARNING;
        }
        if (level.isMoreSpecificThan(Level.INFO)) {
            return NetconSender.LEVEL_INFO;
        }
        return NetconSender.LEVEL_DEBUG;
    }

    @Override
    public void append(final LogEvent event) {
        synchronized (text) {
            text.setLength(0);
            final org.apache.logging.log4j.message.Message m = event.getMessage();
            if (m instanceof org.apache.logging.log4j.util.StringBuilderFormattable f) {
                f.formatTo(text);
            } else {
                text.append(m.getFormattedMessage());
            }
            StackTraces.append(text, event.getThrown());
            fieldCount = 0;
            event.getContextData().forEach(COLLECT_FIELD, this); // a static consumer and this as state: no lambda per event
            sender.write(syslogLevel(event.getLevel()), text, "logger", event.getLoggerName(), "thread",
                event.getThreadName(), fields, fieldCount);
        }
    }

    @Override
    public boolean stop(final long timeout, final TimeUnit unit) {
        setStopping();
        sender.close();
        setStopped();
        return true;
    }

    public NetconSender sender() {
        return sender;
    }
}

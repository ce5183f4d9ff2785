package dev.netcon.receiver;

import dev.netcon.protocol.FrameError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The /stats document (docs/receiver.md): totals and per-source accounting, worst loss first. */
final class StatsJson {
    private StatsJson() {
    }

    static String render(final ReceiverStats stats) {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("{\"startedAt\":\"").append(Instant.ofEpochMilli(stats.startedEpochMs)).append("\",\"totals\":{");
        counters(sb, stats.totals());
        sb.append(",\"sources\":").append(stats.sourceCount())
            .append(",\"sourcesEvicted\":").append(stats.sourcesEvicted.get())
            .append(",\"notAllowed\":").append(stats.notAllowed.get())
            .append(",\"queueFull\":").append(stats.queueFull.get())
            .append(",\"socketOverflows\":").append(stats.socketOverflow.sinceStart())
            .append(",\"tornLinesCut\":").append(stats.tornLinesCut.get())
            .append("},\"sources\":[");
        final List<SourceStats> sources = new ArrayList<>(stats.sources.values());
        sources.sort((a, b) -> Long.compare(b.missing, a.missing));
        boolean first = true;
        for (final SourceStats s : sources) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"host\":");
            JsonText.string(sb, s.host).append(",\"source\":");
            JsonText.string(sb, s.source).append(",\"lastSeen\":");
            JsonText.string(sb, s.lastSeenEpochMs == 0 ? null : Instant.ofEpochMilli(s.lastSeenEpochMs).toString())
                .append(",\"lastSeq\":").append(s.lastSeq < 0 ? "null" : Long.toUnsignedString(s.lastSeq)).append(',');
            counters(sb, s);
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static void counters(final StringBuilder sb, final SourceStats s) {
        sb.append("\"delivered\":").append(s.delivered)
            .append(",\"missing\":").append(s.missing)
            .append(",\"droppedAtSource\":").append(s.droppedAtSource)
            .append(",\"lostInTransit\":").append(s.lostInTransit())
            .append(",\"duplicates\":").append(s.duplicates)
            .append(",\"seqResets\":").append(s.seqResets)
            .append(",\"plain\":").append(s.plain)
            .append(",\"fragmentsExpired\":").append(s.fragmentsExpired)
            .append(",\"malformed\":").append(s.malformed())
            .append(",\"malformedByReason\":{");
        boolean first = true;
        for (final FrameError e : FrameError.values()) {
            final long n = s.malformedByReason[e.ordinal()];
            if (n != 0) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"').append(e.metricName()).append("\":").append(n);
            }
        }
        sb.append("},\"rateLimited\":").append(s.rateLimited)
            .append(",\"storeFailures\":").append(s.storeFailures)
            .append(",\"bytes\":").append(s.bytes);
    }
}

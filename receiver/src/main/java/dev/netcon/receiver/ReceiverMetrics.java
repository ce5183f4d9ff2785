package dev.netcon.receiver;

import dev.netcon.protocol.FrameError;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters over the receiver's own counters: the hot path never touches the registry. Totals are
 * always there; per-source series only for the {@code sourceLimit} sources with the most records, so that a
 * flood of addresses cannot blow up cardinality. Names: {@code netcon_receiver_*} (docs/receiver.md).
 */
final class ReceiverMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReceiverStats stats;
    private final int sourceLimit;
    private final MultiGauge perSourceDelivered;
    private final MultiGauge perSourceMissing;
    private final MultiGauge perSourceDropped;
    private volatile SourceStats totals;

    ReceiverMetrics(final ReceiverStats stats, final int sourceLimit) {
        this.stats = stats;
        this.sourceLimit = sourceLimit;
        this.totals = stats.totals();
        total("netcon.receiver.records.delivered", "records delivered in order", s -> s.delivered);
        total("netcon.receiver.records.missing", "records given up as missing (gaps)", s -> s.missing);
        total("netcon.receiver.records.dropped.at.source", "missing records the senders reported dropped", s -> s.droppedAtSource);
        total("netcon.receiver.records.lost.in.transit", "missing records not reported by senders", SourceStats::lostInTransit);
        total("netcon.receiver.records.duplicates", "duplicate records and fragments dropped", s -> s.duplicates);
        total("netcon.receiver.seq.resets", "sequence resets (sender restarts)", s -> s.seqResets);
        total("netcon.receiver.plain.frames", "plain (legacy) frames stored", s -> s.plain);
        total("netcon.receiver.fragments.expired", "partial records given up", s -> s.fragmentsExpired);
        total("netcon.receiver.rate.limited", "datagrams dropped by the per-source rate limit", s -> s.rateLimited);
        total("netcon.receiver.store.failures", "lines the store could not write", s -> s.storeFailures);
        total("netcon.receiver.bytes", "datagram bytes accepted", s -> s.bytes);
        for (final FrameError e : FrameError.values()) {
            if (e != FrameError.NONE) {
                FunctionCounter.builder("netcon.receiver.malformed", this, m -> m.totals.malformedByReason[e.ordinal()])
                    .description("datagrams rejected, by reason").tag("reason", e.metricName()).register(registry);
            }
        }
        FunctionCounter.builder("netcon.receiver.not.allowed", stats, s -> s.notAllowed.get())
            .description("datagrams from sources outside --allow").register(registry);
        FunctionCounter.builder("netcon.receiver.queue.full", stats, s -> s.queueFull.get())
            .description("datagrams dropped because a worker queue was full").register(registry);
        FunctionCounter.builder("netcon.receiver.socket.overflows", stats, s -> s.socketOverflow.sinceStart())
            .description("datagrams the kernel dropped for a full socket buffer (RcvbufErrors)").register(registry);
        FunctionCounter.builder("netcon.receiver.sources.evicted", stats, s -> s.sourcesEvicted.get())
            .description("sources evicted (idle or over --max-sources)").register(registry);
        Gauge.builder("netcon.receiver.sources", stats, ReceiverStats::sourceCount).description("sources tracked now")
            .register(registry);
        perSourceDelivered = MultiGauge.builder("netcon.receiver.source.delivered").description("records delivered per source").register(registry);
        perSourceMissing = MultiGauge.builder("netcon.receiver.source.missing").description("records missing per source").register(registry);
        perSourceDropped = MultiGauge.builder("netcon.receiver.source.dropped.at.source").description("records dropped at source per source").register(registry);
    }

    private void total(final String name, final String description, final ToLongFunction<SourceStats> f) {
        FunctionCounter.builder(name, this, m -> f.applyAsLong(m.totals)).description(description).register(registry);
    }

    /** Prometheus text, computed from one snapshot of the counters. */
    String scrape() {
        totals = stats.totals();
        final List<SourceStats> top = new ArrayList<>(stats.sources.values());
        top.sort(Comparator.comparingLong((SourceStats s) -> s.delivered + s.missing).reversed());
        final List<SourceStats> shown = top.subList(0, Math.min(sourceLimit, top.size()));
        perSourceDelivered.register(rows(shown, s -> s.delivered), true);
        perSourceMissing.register(rows(shown, s -> s.missing), true);
        perSourceDropped.register(rows(shown, s -> s.droppedAtSource), true);
        return registry.scrape();
    }

    private static List<MultiGauge.Row<?>> rows(final List<SourceStats> sources, final ToLongFunction<SourceStats> f) {
        final List<MultiGauge.Row<?>> rows = new ArrayList<>(sources.size());
        for (final SourceStats s : sources) {
            final long v = f.applyAsLong(s);
            rows.add(MultiGauge.Row.of(Tags.of("host", s.host, "source", s.source), v));
        }
        return rows;
    }
}

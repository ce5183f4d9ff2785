package dev.netcon.receiver;

import dev.netcon.protocol.SequencerConfig;
import dev.netcon.protocol.TrackerConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code netcon receive} can be told (flags or config file; see docs/receiver.md for each key
 * and its default).
 *
 * @param listen            UDP addresses; empty means the default: [::]:6666 (dual stack), or 0.0.0.0:6666
 *                          where IPv6 is unavailable
 * @param http              HTTP address, or null for none
 * @param reliable          answer sources with ncrx acknowledgements
 * @param allow             sources allowed (empty: all)
 * @param ioThreads         Netty I/O threads (epoll: one SO_REUSEPORT socket each)
 * @param workers           worker threads (sources are spread over them by address hash)
 * @param queueBytesPerWorker hand-off ring per worker, a power of two
 * @param receiveBufferBytes SO_RCVBUF asked of the kernel
 * @param maxSources        sources kept at once; beyond it the least recently seen is evicted
 * @param idleTimeoutNs     a source not heard from this long is closed and evicted
 * @param rateLimitRecords  per-source records/s (0: unlimited)
 * @param rateLimitBytes    per-source bytes/s (0: unlimited)
 * @param gapTimeoutNs      a hole not filled within this is given up as MISSING
 * @param windowSize        reorder window per source, in records
 */
public record ReceiverConfig(List<InetSocketAddress> listen, InetSocketAddress http, Path dataDir, boolean reliable,
                             List<Cidr> allow, int ioThreads, int workers, int queueBytesPerWorker, int receiveBufferBytes,
                             int maxSources, long idleTimeoutNs, double rateLimitRecords, double rateLimitBytes,
                             long gapTimeoutNs, int windowSize, int metricsSourceLimit, FileStore.StoreConfig store) {

    public static final int DEFAULT_PORT = 6666;

    public SequencerConfig sequencerConfig() {
        return SequencerConfig.builder()
            .tracker(TrackerConfig.builder().windowSize(windowSize).gapTimeoutNs(gapTimeoutNs).build())
            .build();
    }

    int maxSourcesPerWorker() {
        return Math.max(1, maxSources / workers);
    }
}

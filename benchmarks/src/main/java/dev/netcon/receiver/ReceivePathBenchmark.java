package dev.netcon.receiver;

import dev.netcon.protocol.FrameEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The receiver's per-datagram path after the socket read, in one thread: the I/O thread's hand-off into a
 * worker's ring ({@code Worker.offer}, as the recvmmsg reader calls it), then the worker's turn
 * ({@code doWork}: decode, reassemble, order, account, format the stored line, append it to the sink). One
 * 100-byte extended record per op, from 1 or 100 sources taking turns, each with its own rising seq.
 * {@code encodeOnly} is the cost of making the datagram, which {@code receive} includes: the difference is the
 * receive path. Run with {@code -prof gc}: 0 B/op on the path (the file sink's flusher thread writes the
 * files in the background and allocates nothing either).
 *
 * <p>Lives in the receiver's package because {@code Worker} is package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class ReceivePathBenchmark {
    private static final String TEXT = "GET /api/orders/42 200 in 3.1 ms from 10.0.0.7, user-agent curl/8.5, 1342 bytes sent....";

    @Param({"1", "100"})
    int sources;

    /** discard: a sink that only counts (the worker alone); file: the file store on a temporary directory. */
    @Param({"discard", "file"})
    String sink;

    private Path dir;
    private RecordSink store;
    private Worker worker;
    private final FrameEncoder encoder = new FrameEncoder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(1000));
    private byte[][] addresses;
    private String[] names;
    private long[] seqs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("netcon-bench");
        final ReceiverConfig config = new ReceiverConfig(List.of(new InetSocketAddress("127.0.0.1", 0)), null, dir, false,
            List.of(), 1, 1, 8 << 20, 4 << 20, 100_000, TimeUnit.HOURS.toNanos(1), 0, 0, TimeUnit.SECONDS.toNanos(1), 256,
            100, FileStore.StoreConfig.defaults());
        final ReceiverStats stats = new ReceiverStats();
        store = sink.equals("file") ? new FileStore(dir, config.store(), stats) : new DiscardingSink();
        worker = new Worker(0, config, store, stats, new StreamHub(), null);
        addresses = new byte[sources][];
        names = new String[sources];
        seqs = new long[sources];
        for (int i = 0; i < sources; i++) {
            addresses[i] = new byte[] {10, 1, (byte) (i >> 8), (byte) i};
            names[i] = "bench-" + i;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int encodeOnly() {
        return encode(nextSource());
    }

    @Benchmark
    public int receive() {
        final int i = nextSource();
        final int length = encode(i);
        worker.offer(0, addresses[i], 4, 6665, frame, 0, length);
        return worker.doWork();
    }

    private int nextSource() {
        final int i = next;
        next = i + 1 == sources ? 0 : i + 1;
        return i;
    }

    private int encode(final int source) {
        return encoder.wrap(frame, 0, frame.capacity()).header((String) null, 14, ++seqs[source], 5_000_000, (byte) '-')
            .text(TEXT).dict("host", names[source]).finish();
    }

    /** Counts and forgets: the worker's cost without storage. */
    static final class DiscardingSink implements RecordSink {
        long lines;

        @Override
        public boolean append(final String host, final DirectBuffer line, final int offset, final int length) {
            lines++;
            return true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}

package dev.netcon.bench.protocol;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.Wire;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Decode and encode cost of one extended frame (a 100-byte message with two dictionary lines, as a
 * 6.12 kernel with userdata sends it). Run with {@code -prof gc} to see 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class ProtocolBenchmark {
    private static final String TEXT = "nctest: a message of about one hundred bytes, tab\tand escapes \\ for the codec to handle ....";

    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameEncoder encoder = new FrameEncoder();
    private final Record record = new Record();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
    private final UnsafeBuffer frame = new UnsafeBuffer(("6.12.107+deb12-amd64,14,394,5106508,-;" + TEXT.replace("\t", "\\x09")
        .replace("\\ ", "\\x5c ") + "\n host=guest01\n dc=lab-7\n").getBytes(StandardCharsets.US_ASCII));
    private long seq;

    /** Header decode only: what the receive path does before it knows the source's state. */
    @Benchmark
    public long decodeHeader() {
        if (decoder.decode(frame, 0, frame.capacity()) != FrameError.NONE) {
            throw new IllegalStateException();
        }
        return decoder.seq();
    }

    /** Header decode, body split and escape check, dictionary lookup: a record as the receiver sees it. */
    @Benchmark
    public long decodeRecord() {
        decoder.decode(frame, 0, frame.capacity());
        record.wrap(decoder, frame, decoder.bodyOffset(), decoder.bodyLength());
        if (record.parseBody() != FrameError.NONE) {
            throw new IllegalStateException();
        }
        return record.dictIndexOf("host");
    }

    /** Encode a record from a String with escaping and a dictionary line: what write() does. */
    @Benchmark
    public int encodeRecord() {
        return encoder.wrap(out, 0, out.capacity()).header("6.12.107+deb12-amd64", 14, seq++, 5106508, Wire.FLAG_NONE)
            .text(TEXT).dict("host", "guest01").finish();
    }
}

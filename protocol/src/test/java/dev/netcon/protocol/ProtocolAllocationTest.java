package dev.netcon.protocol;

import dev.netcon.protocol.capture.Datagram;
import dev.netcon.protocol.testing.Allocations;
import dev.netcon.protocol.testing.Vectors;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The codec's hot paths allocate nothing once warmed up. */
class ProtocolAllocationTest {
    private static final int FRAMES = 1_000_000;

    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameEncoder encoder = new FrameEncoder();
    private final Fragmenter fragmenter = new Fragmenter();
    private final FragmentReassembler reassembler = new FragmentReassembler(4, 65536, Long.MAX_VALUE / 4);
    private final Record record = new Record();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer fragment = new UnsafeBuffer(new byte[Wire.MAX_PAYLOAD]);
    private long checksum;

    @Test
    void shouldDecodeAndEncodeAMillionKernelFramesWithoutAllocating() {
        final List<Datagram> datagrams = Vectors.hex(Vectors.EXTENDED_USERDATA_6_12);
        final UnsafeBuffer[] frames = datagrams.stream().map(d -> new UnsafeBuffer(d.payload())).toArray(UnsafeBuffer[]::new);
        final String text = "a message of about one hundred bytes, with a tab\there and an accent \u00e9 to escape......";
        final Runnable work = () -> {
            for (int i = 0; i < FRAMES; i++) {
                final UnsafeBuffer frame = frames[i % frames.length];
                if (decoder.decode(frame, 0, frame.capacity()) != FrameError.NONE) {
                    throw new AssertionError("frame " + i % frames.length);
                }
                if (decoder.isFragment()) {
                    if (reassembler.onFragment(decoder, i) == FragmentReassembler.COMPLETE) {
                        record.wrap(decoder, reassembler.body(), 0, reassembler.bodyLength());
                        checksum += record.parseBody().ordinal();
                    }
                } else {
                    record.wrap(decoder, frame, decoder.bodyOffset(), decoder.bodyLength());
                    checksum += record.parseBody().ordinal() + record.dictLong("NETCON_DROPPED", 0);
                }
                final int n = encoder.wrap(out, 0, out.capacity()).header("6.12.107", 14, i, i, Wire.FLAG_NONE)
                    .text(text).dict("host", "web-1").dict("NETCON_DROPPED", i).finish();
                fragmenter.begin(out, 0, n);
                checksum += fragmenter.next(fragment, 0);
            }
        };
        work.run(); // warm-up: JIT, lazily grown buffers
        work.run();
        final long allocated = Allocations.measure(work);
        assertThat(allocated).as("bytes allocated for %d frames (checksum %d)", FRAMES, checksum)
            .isLessThanOrEqualTo(Allocations.TOLERANCE_BYTES);
    }
}

package dev.netcon.cli;

import dev.netcon.protocol.FrameEncoder;
import dev.netcon.protocol.FrameError;
import dev.netcon.protocol.Fragmenter;
import dev.netcon.protocol.Numbers;
import dev.netcon.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Makes the datagrams of blast's records. Record {@code r} of a host has the text {@code "<host> record <r> "}
 * followed by letters ({@code 'a' + i % 26} at text position {@code i}), exactly {@code textSize} characters,
 * and a {@code host=} dictionary line. A record that fits one datagram is written straight into the
 * datagram's buffer: the header, then the host's body as it is for every seq of that many digits, with the
 * seq's digits written over (so the text is escaped once per host and digit count, not per record). A longer
 * one is encoded whole and split by the protocol's {@link Fragmenter}, as a kernel would. Used by one thread
 * (the blast event loop).
 */
final class BlastFrames {
    private static final String RECORD = " record ";
    private static final int PREFIX = Wire.prefix(1, 6); // facility user, level info

    private final int textSize;
    private final UnsafeBuffer letters;
    private final FrameEncoder encoder = new FrameEncoder();
    private final UnsafeBuffer datagramView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer wholeFrame;
    private final Fragmenter fragmenter = new Fragmenter();
    private final ByteBuffer fragment = ByteBuffer.allocateDirect(Wire.MAX_PAYLOAD);
    private final UnsafeBuffer fragmentView = new UnsafeBuffer(fragment);
    private final StringBuilder shortText = new StringBuilder();

    BlastFrames(final int textSize) {
        this.textSize = textSize;
        final byte[] l = new byte[textSize];
        for (int i = 0; i < textSize; i++) {
            l[i] = (byte) ('a' + i % 26);
        }
        this.letters = new UnsafeBuffer(l);
        // room for every character escaped (\xNN, 4 bytes), the host name likewise, and the header
        this.wholeFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(textSize * 4 + 4096));
    }

    /** A host's record body as it is for every seq of one digit count; only the seq's digits differ. */
    static final class Template {
        private final String name;
        private final int seqOffset; // where the seq's digits start in the body
        private int digits;
        private UnsafeBuffer body; // null: this digit count needs the general path (short text, or fragments)
        private int bodyLength;

        private Template(final String name) {
            this.name = name;
            this.seqOffset = FrameEncoder.escapedLength(name) + RECORD.length();
        }
    }

    /** The state {@link #make} keeps for one host. */
    Template template(final String name) {
        return new Template(name);
    }

    /**
     * Writes the datagrams of record {@code seq} of the template's host into {@code out} (pooled buffers the
     * caller then owns) and returns how many there are.
     */
    int make(final Template t, final long seq, final long tsUsec, final ByteBufAllocator alloc, final ByteBuf[] out) {
        final int digits = Numbers.unsignedDigits(seq);
        if (digits != t.digits) {
            prepare(t, seq, digits);
        }
        if (t.body != null) {
            final ByteBuf single = alloc.directBuffer(Wire.MAX_PAYLOAD);
            if (single.hasMemoryAddress()) {
                datagramView.wrap(single.memoryAddress(), single.capacity());
                // the header, then the body copied from the template with this record's seq written over its digits
                final int headerLength = encoder.wrap(datagramView, 0, Wire.MAX_PAYLOAD)
                    .header((String) null, PREFIX, seq, tsUsec, Wire.FLAG_NONE).length();
                final int length = encoder.rawBody(t.body, 0, t.bodyLength).finishRaw();
                if (length != FrameEncoder.NO_ROOM) {
                    Numbers.putUnsigned(datagramView, headerLength + 1 + t.seqOffset, seq); // + 1: the ';'
                    out[0] = single.writerIndex(length);
                    return 1;
                }
            }
            single.release();
        }
        return fragments(t.name, seq, tsUsec, alloc, out);
    }

    /** Encodes one record of this digit count in full and keeps its body, when it fits one datagram. */
    private void prepare(final Template t, final long seq, final int digits) {
        t.digits = digits;
        t.body = null;
        final int prefixLength = t.name.length() + RECORD.length() + digits + 1;
        final int length = encode(wholeFrame, t.name, seq, Long.MAX_VALUE); // the widest header there is
        if (prefixLength > textSize || length == FrameEncoder.NO_ROOM || length > Wire.MAX_PAYLOAD) {
            return;
        }
        int semicolon = 0;
        while (wholeFrame.getByte(semicolon) != ';') { // no release, so the first ';' ends the header
            semicolon++;
        }
        t.bodyLength = length - semicolon - 1;
        t.body = new UnsafeBuffer(new byte[t.bodyLength]);
        t.body.putBytes(0, wholeFrame, semicolon + 1, t.bodyLength);
    }

    /** Most datagrams one record can take (for sizing {@code out}). */
    int maxDatagrams(final String name) {
        final int frame = textSize * 4 + FrameEncoder.escapedLength(name) * 2 + 512;
        return frame / (Wire.MAX_PAYLOAD / 2) + 2; // every fragment carries at least half a datagram of body
    }

    private int fragments(final String name, final long seq, final long tsUsec, final ByteBufAllocator alloc, final ByteBuf[] out) {
        final int length = encode(wholeFrame, name, seq, tsUsec);
        if (length == FrameEncoder.NO_ROOM || fragmenter.begin(wholeFrame, 0, length) != FrameError.NONE) {
            throw new IllegalStateException("blast encoded a frame it cannot split (host name too long?)");
        }
        int count = 0;
        int n;
        while ((n = fragmenter.next(fragmentView, 0)) > 0) {
            out[count++] = alloc.directBuffer(n).writeBytes(fragment.clear().limit(n));
        }
        return count;
    }

    private int encode(final UnsafeBuffer dst, final String name, final long seq, final long tsUsec) {
        encoder.wrap(dst, 0, dst.capacity()).header((String) null, PREFIX, seq, tsUsec, Wire.FLAG_NONE);
        final int prefixLength = name.length() + RECORD.length() + Numbers.unsignedDigits(seq) + 1;
        if (prefixLength <= textSize) {
            encoder.text(name).text(RECORD).textUnsigned(seq).text(" ").text(letters, prefixLength, textSize - prefixLength);
        } else { // a text shorter than its own prefix: cut it (rare, --size below ~30)
            shortText.setLength(0);
            shortText.append(name).append(RECORD).append(seq).append(' ').setLength(textSize);
            encoder.text(shortText);
        }
        return encoder.dict("host", name).finish();
    }

}

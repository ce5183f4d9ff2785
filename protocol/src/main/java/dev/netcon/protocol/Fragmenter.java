package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Splits an encoded extended frame whose length exceeds the payload limit into fragments exactly as the
 * kernel's netconsole does: every fragment repeats the header (release included) with
 * {@code ,ncfrag=<offset>/<total>} added before the ';', and carries as many body bytes as fit in
 * the limit, cut anywhere (even inside an escape). Offsets and total count body bytes only.
 *
 * <pre>
 *   fragmenter.begin(frame, offset, length);
 *   int n;
 *   while ((n = fragmenter.next(dst, 0)) &gt; 0) { send(dst, 0, n); }
 * </pre>
 */
public final class Fragmenter {
    private final int maxPayload;
    private final FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE);

    private DirectBuffer frame;
    private int headerStart;
    private int headerLength;
    private int bodyStart;
    private int bodyLength;
    private int nextOffset;
    private boolean whole;
    private boolean done;

    public Fragmenter() {
        this(Wire.MAX_PAYLOAD);
    }

    public Fragmenter(final int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /**
     * Prepares to split the frame. A frame that fits comes back from {@link #next} whole, as the kernel
     * sends it.
     *
     * @return {@link FrameError#NONE}, or why the frame is not a splittable extended frame.
     */
    public FrameError begin(final DirectBuffer frame, final int offset, final int length) {
        done = true;
        final FrameError e = decoder.decode(frame, offset, length);
        if (e != FrameError.NONE) {
            return e;
        }
        if (!decoder.isExtended() || decoder.isFragment()) {
            return FrameError.NO_HEADER;
        }
        this.frame = frame;
        headerStart = offset;
        headerLength = decoder.headerEnd() - offset;
        bodyStart = decoder.bodyOffset();
        bodyLength = decoder.bodyLength();
        whole = length <= maxPayload;
        nextOffset = 0;
        if (!whole && maxPayload - fragmentHeaderLength(bodyLength, bodyLength) <= 0) {
            return FrameError.OVERSIZE;
        }
        done = false;
        return FrameError.NONE;
    }

    /** Seq of the frame {@link #begin} accepted (so that a caller need not decode it again). */
    public long seq() {
        return decoder.seq();
    }

    /** True when {@link #begin} saw a frame longer than the payload limit. */
    public boolean isFragmented() {
        return !whole;
    }

    /**
     * Writes the next datagram at {@code dst[offset]}; returns its length, or 0 when all are written.
     * {@code dst} needs room for {@code maxPayload} bytes.
     */
    public int next(final MutableDirectBuffer dst, final int offset) {
        if (done) {
            return 0;
        }
        if (whole) {
            done = true;
            final int length = headerLength + 1 + bodyLength;
            dst.putBytes(offset, frame, headerStart, length);
            return length;
        }
        final int fragHeader = fragmentHeaderLength(nextOffset, bodyLength);
        final int chunk = Math.min(bodyLength - nextOffset, maxPayload - fragHeader);
        int w = offset;
        dst.putBytes(w, frame, headerStart, headerLength);
        w += headerLength;
        w += putAscii(dst, w, ",ncfrag=");
        w += Numbers.putUnsigned(dst, w, nextOffset);
        dst.putByte(w++, (byte) '/');
        w += Numbers.putUnsigned(dst, w, bodyLength);
        dst.putByte(w++, (byte) ';');
        dst.putBytes(w, frame, bodyStart + nextOffset, chunk);
        w += chunk;
        nextOffset += chunk;
        done = nextOffset >= bodyLength;
        return w - offset;
    }

    private int fragmentHeaderLength(final int fragOffset, final int total) {
        return headerLength + ",ncfrag=".length() + Numbers.unsignedDigits(fragOffset) + 1
            + Numbers.unsignedDigits(total) + 1;
    }

    private static int putAscii(final MutableDirectBuffer dst, final int at, final String s) {
        for (int i = 0; i < s.length(); i++) {
            dst.putByte(at + i, (byte) s.charAt(i));
        }
        return s.length();
    }
}

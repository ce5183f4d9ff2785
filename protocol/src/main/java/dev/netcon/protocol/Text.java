package dev.netcon.protocol;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Conversions for display and JSON: these allocate and are meant for tools, not hot paths. */
public final class Text {
    private Text() {
    }

    /** Unescapes a {@code \xNN}-escaped range and decodes it as UTF-8, invalid bytes as U+FFFD. */
    public static String unescapeToString(final DirectBuffer b, final int offset, final int length) {
        final byte[] bytes = new byte[length];
        int w = 0;
        for (int i = offset, end = offset + length; i < end; ) {
            final byte c = b.getByte(i);
            final int v = c == '\\' ? Escaping.escapeValue(b, i, end) : -1;
            if (v >= 0) {
                bytes[w++] = (byte) v;
                i += 4;
            } else {
                bytes[w++] = c;
                i++;
            }
        }
        return utf8(bytes, 0, w);
    }

    /** Decodes bytes as UTF-8 replacing malformed input with U+FFFD. */
    public static String utf8(final byte[] bytes, final int offset, final int length) {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            final CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        } catch (final java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("REPLACE decoder cannot fail", e);
        }
    }
}

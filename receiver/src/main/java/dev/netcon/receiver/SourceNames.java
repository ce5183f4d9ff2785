package dev.netcon.receiver;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Turns an untrusted source name (a {@code host=} value from the wire, or an address) into a safe directory
 * name: only {@code [A-Za-z0-9._-]}, never "", "." or "..", at most 64 bytes.
 */
public final class SourceNames {
    public static final int MAX_LENGTH = 64;

    private SourceNames() {
    }

    public static String sanitise(final String name) {
        final StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_LENGTH + 9));
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
            sb.append(ok ? c : c == ':' ? '-' : '_');
        }
        String s = sb.toString();
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            s = "_";
        }
        if (s.length() > MAX_LENGTH) {
            final CRC32 crc = new CRC32();
            crc.update(name.getBytes(StandardCharsets.UTF_8));
            s = s.substring(0, MAX_LENGTH - 9) + "-" + String.format("%08x", crc.getValue());
        }
        return s;
    }
}

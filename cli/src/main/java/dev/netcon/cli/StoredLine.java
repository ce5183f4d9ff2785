package dev.netcon.cli;

import dev.netcon.protocol.Text;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a receiver's data file (docs/storage.md), parsed back: the same fields whether it came from a
 * file or from the receiver's live stream.
 */
record StoredLine(String receivedAt, String kind, String host, String source, String seq, Integer facility, Integer level,
                  String flag, Long tsUsec, String text, Map<String, String> dict) {

    /** Parses a TAB-separated stored line; null if it is not one. */
    static StoredLine parse(final String line) {
        final String[] f = line.split("\t", -1);
        if (f.length < 10) {
            return null;
        }
        final Map<String, String> dict = new LinkedHashMap<>();
        for (int i = 10; i < f.length; i++) {
            final int eq = f[i].indexOf('=');
            if (eq > 0) {
                dict.put(f[i].substring(0, eq), unescape(f[i].substring(eq + 1)));
            }
        }
        return new StoredLine(f[0], f[1], f[2], f[3], f[4], number(f[5]), number(f[6]), f[7],
            f[8].equals("-") ? null : Long.parseLong(f[8]), unescape(f[9]), dict);
    }

    /** From a /stream JSON object. */
    @SuppressWarnings("unchecked")
    static StoredLine fromJson(final Map<String, Object> o) {
        final Map<String, String> dict = new LinkedHashMap<>();
        if (o.get("dict") instanceof Map<?, ?> d) {
            ((Map<String, Object>) d).forEach((k, v) -> dict.put(k, String.valueOf(v)));
        }
        final Object seq = o.get("seq");
        final String seqText = seq != null ? String.valueOf(seq)
            : o.get("first") != null ? o.get("first") + "-" + o.get("last") : "-";
        return new StoredLine(String.valueOf(o.get("receivedAt")), String.valueOf(o.get("kind")), String.valueOf(o.get("host")),
            String.valueOf(o.get("source")), seqText, toInt(o.get("facility")), toInt(o.get("level")),
            Boolean.TRUE.equals(o.get("cont")) ? "c" : "-", o.get("tsUsec") instanceof Number n ? n.longValue() : null,
            String.valueOf(o.get("text")), dict);
    }

    private static Integer toInt(final Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }

    private static Integer number(final String s) {
        return s.equals("-") ? null : Integer.valueOf(s);
    }

    static String unescape(final String escaped) {
        final byte[] b = escaped.getBytes(StandardCharsets.UTF_8);
        return Text.unescapeToString(new UnsafeBuffer(b), 0, b.length);
    }

    /** JSON for --json: the decode fields plus host, source, kind and receivedAt. */
    String toJson() {
        final StringBuilder sb = new StringBuilder(256).append("{\"receivedAt\":");
        Json.string(sb, receivedAt).append(",\"kind\":");
        Json.string(sb, kind).append(",\"host\":");
        Json.string(sb, host).append(",\"source\":");
        Json.string(sb, source).append(",\"seq\":");
        if (kind.equals("rec") || kind.equals("reset")) {
            sb.append(seq);
        } else if (kind.equals("missing")) {
            final int dash = seq.indexOf('-');
            sb.append("null,\"first\":").append(seq, 0, dash).append(",\"last\":").append(seq.substring(dash + 1));
        } else {
            sb.append("null");
        }
        sb.append(",\"facility\":").append(facility).append(",\"level\":").append(level).append(",\"tsUsec\":").append(tsUsec)
            .append(",\"cont\":").append("c".equals(flag)).append(",\"release\":null,\"text\":");
        Json.string(sb, text).append(",\"dict\":{");
        boolean first = true;
        for (final Map.Entry<String, String> e : dict.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.string(sb, e.getKey()).append(':');
            Json.string(sb, e.getValue());
        }
        return sb.append("}}").toString();
    }
}

package dev.netcon.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the receiver's documents (/stats, /stream lines): objects become LinkedHashMaps,
 * arrays Lists, numbers Long or Double. Enough for netcon's own output; not a general-purpose library.
 */
final class MiniJson {
    private final String s;
    private int i;

    private MiniJson(final String s) {
        this.s = s;
    }

    static Object parse(final String text) {
        final MiniJson p = new MiniJson(text);
        final Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String text) {
        final Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private Object value() {
        ws();
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        final char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                return obj();
            }
            case '[' -> {
                return arr();
            }
            case '"' -> {
                return str();
            }
            case 't' -> {
                expect("true");
                return Boolean.TRUE;
            }
            case 'f' -> {
                expect("false");
                return Boolean.FALSE;
            }
            case 'n' -> {
                expect("null");
                return null;
            }
            default -> {
                return num();
            }
        }
    }

    private Map<String, Object> obj() {
        final Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek('}')) {
            i++;
            return m;
        }
        while (true) {
            ws();
            final String k = str();
            ws();
            if (!peek(':')) {
                throw error("expected ':'");
            }
            i++;
            m.put(k, value());
            ws();
            if (peek(',')) {
                i++;
            } else if (peek('}')) {
                i++;
                return m;
            } else {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> arr() {
        final List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek(']')) {
            i++;
            return l;
        }
        while (true) {
            l.add(value());
            ws();
            if (peek(',')) {
                i++;
            } else if (peek(']')) {
                i++;
                return l;
            } else {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String str() {
        if (!peek('"')) {
            throw error("expected a string");
        }
        i++;
        final StringBuilder sb = new StringBuilder();
        while (i < s.length()) {
            final char c = s.charAt(i++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            final char e = s.charAt(i++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        throw error("unterminated string");
    }

    private Object num() {
        final int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        final String n = s.substring(start, i);
        if (n.isEmpty()) {
            throw error("unexpected character '" + s.charAt(i) + "'");
        }
        if (n.contains(".") || n.contains("e") || n.contains("E")) {
            return Double.parseDouble(n);
        }
        try {
            return Long.parseLong(n);
        } catch (final NumberFormatException e) {
            return Long.parseUnsignedLong(n);
        }
    }

    private void expect(final String word) {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
    }

    private boolean peek(final char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private IllegalArgumentException error(final String what) {
        return new IllegalArgumentException("bad JSON at " + i + ": " + what);
    }
}

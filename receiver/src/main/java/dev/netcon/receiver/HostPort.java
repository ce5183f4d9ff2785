package dev.netcon.receiver;

import java.net.InetSocketAddress;

/** Parses {@code HOST:PORT}, {@code [V6]:PORT}, {@code HOST} or {@code :PORT} into an unresolved-safe address. */
public final class HostPort {
    private HostPort() {
    }

    public static InetSocketAddress parse(final String text, final int defaultPort) {
        final String s = text.trim();
        String host;
        int port = defaultPort;
        if (s.startsWith("[")) {
            final int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']' after IPv6 address");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "': expected ':' after ']'");
                }
                port = parsePort(text, s.substring(close + 2));
            }
        } else {
            final int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = parsePort(text, s.substring(colon + 1));
            } else {
                host = s; // a bare IPv6 address or a host name without port
            }
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        return new InetSocketAddress(host, port);
    }

    private static int parsePort(final String text, final String port) {
        try {
            final int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port must be a number 0..65535");
        }
    }

    /** "192.0.2.2:6665", "[::1]:6665"; IPv4-mapped IPv6 addresses are shown as IPv4. */
    public static String format(final InetSocketAddress a) {
        final String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}

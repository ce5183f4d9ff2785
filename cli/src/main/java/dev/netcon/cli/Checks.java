package dev.netcon.cli;

import dev.netcon.receiver.HostPort;

import java.net.InetSocketAddress;

/**
 * Option values picocli cannot check by type alone (ranges, powers of two, addresses): each bad one becomes a
 * usage error (exit 2) whose one line names the option, before anything runs or a library throws.
 */
final class Checks {
    private Checks() {
    }

    static long range(final String option, final long value, final long min, final long max) {
        if (value < min || value > max) {
            throw usage(option + " must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "at least " + min
                : "in " + min + ".." + max) + ", not " + value);
        }
        return value;
    }

    static int range(final String option, final int value, final int min, final int max) {
        return (int) range(option, (long) value, min, max);
    }

    static double atLeast(final String option, final double value, final double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw usage(option + " must be a number of at least " + (long) min + ", not " + value);
        }
        return value;
    }

    static int powerOfTwo(final String option, final int value, final int min, final int max) {
        if (Integer.bitCount(value) != 1 || value < min || value > max) {
            throw usage(option + " must be a power of two in " + min + ".." + max + ", not " + value);
        }
        return value;
    }

    /** HOST:PORT, [V6]:PORT, HOST or :PORT; the port defaults to {@code defaultPort}. */
    static InetSocketAddress hostPort(final String option, final String text, final int defaultPort) {
        try {
            return HostPort.parse(text, defaultPort);
        } catch (final IllegalArgumentException e) {
            throw usage("bad " + option + " " + e.getMessage());
        }
    }

    /** An HTTP base address, HOST:PORT, as {@code http://HOST:PORT}; host names with spaces and the like are refused. */
    static String httpBase(final String option, final String text) {
        final InetSocketAddress a = hostPort(option, text, 9666);
        final String base = "http://" + HostPort.format(a);
        try {
            final java.net.URI uri = new java.net.URI(base);
            if (uri.getHost() == null) {
                throw new java.net.URISyntaxException(base, "no host");
            }
        } catch (final java.net.URISyntaxException e) {
            throw usage("bad " + option + " '" + text + "': use HOST:PORT");
        }
        return base;
    }

    static double probability(final String option, final double p) {
        if (!(p >= 0 && p <= 1)) {
            throw usage(option + " must be a probability in 0..1, not " + p);
        }
        return p;
    }

    /** {@code --transport auto|epoll|nio} of send and blast; epoll where Netty's native transport does not load is an error. */
    static dev.netcon.sender.NetconSender.Transport transport(final String value) {
        final dev.netcon.sender.NetconSender.Transport t = switch (value) {
            case "auto" -> dev.netcon.sender.NetconSender.Transport.AUTO;
            case "epoll" -> dev.netcon.sender.NetconSender.Transport.EPOLL;
            case "nio" -> dev.netcon.sender.NetconSender.Transport.NIO;
            default -> throw usage("--transport must be auto, epoll or nio, not " + value);
        };
        if (t == dev.netcon.sender.NetconSender.Transport.EPOLL && !io.netty.channel.epoll.Epoll.isAvailable()) {
            throw usage("--transport epoll: Netty's native epoll transport is not available here");
        }
        return t;
    }

    static CommandException usage(final String message) {
        return new CommandException(ExitCodes.USAGE, message);
    }
}

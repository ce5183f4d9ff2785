package dev.netcon.receiver;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Live subscribers of /stream. Workers publish only when someone listens, so an idle hub costs nothing. */
final class StreamHub {
    /** One subscriber's filters and where its lines go. */
    record Subscriber(Pattern host, int maxLevel, List<String> kinds, Consumer<String> sink) {
        boolean wants(final String kind, final String hostName, final int level) {
            return (kinds.isEmpty() || kinds.contains(kind))
                && (host == null || host.matcher(hostName).matches())
                && (level < 0 || !kind.equals("rec") || level <= maxLevel);
        }
    }

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    void add(final Subscriber s) {
        subscribers.add(s);
    }

    void remove(final Subscriber s) {
        subscribers.remove(s);
    }

    List<Subscriber> subscribers() {
        return subscribers;
    }

    /** Turns a shell glob (*, ?) into a regex. */
    static Pattern glob(final String glob) {
        final StringBuilder sb = new StringBuilder();
        for (final char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }
}

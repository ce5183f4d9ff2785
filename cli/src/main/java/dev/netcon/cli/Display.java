package dev.netcon.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Terminal rendering: level colours (ANSI, only when wanted) and text made safe to print. Control
 * characters from the wire never reach the terminal raw: a newline continues the record on an indented line,
 * other C0/C1 controls and DEL are shown in caret or {@code <U+XXXX>} form.
 */
final class Display {
    static final String RESET = "\u001b[0m";
    static final String DIM = "\u001b[2m";
    private static final String[] LEVEL_COLOURS = {
        "\u001b[1;31m", "\u001b[1;31m", "\u001b[1;31m", "\u001b[31m", "\u001b[33m", "\u001b[36m", "", "\u001b[2m"};

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);

    private final boolean colour;

    Display(final boolean colour) {
        this.colour = colour;
    }

    /** --color=auto|always|never, NO_COLOR, and whether stdout is a terminal. */
    static boolean wantColour(final String mode) {
        return switch (mode) {
            case "always" -> true;
            case "never" -> false;
            default -> System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        };
    }

    String line(final StoredLine l) {
        final String levelName = l.level() == null ? l.kind() : Levels.name(l.level());
        final String head = time(l.receivedAt()) + " " + l.host() + " " + String.format("%-7s", levelName) + " ";
        final boolean event = l.kind().equals("missing") || l.kind().equals("reset");
        final String body = visible(l.text());
        if (!colour) {
            return head + body;
        }
        if (event) {
            return DIM + head + body + RESET;
        }
        final String c = l.level() == null ? "" : LEVEL_COLOURS[l.level() & 7];
        return c.isEmpty() ? head + body : c + head + body + RESET;
    }

    /**
     * receivedAt as text output shows it, ISO-8601 UTC to the millisecond (2026-11-30T02:40:41.167Z) whether it
     * comes from a file (stored with microseconds) or from the live stream (milliseconds); anything unparsable as
     * it is.
     */
    static String time(final String receivedAt) {
        try {
            return MILLIS.format(Instant.parse(receivedAt));
        } catch (final DateTimeParseException e) {
            return receivedAt;
        }
    }

    static String visible(final String text) {
        final StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\n    ");
            } else if (c == '\t') {
                sb.append('\t');
            } else if (c < 0x20) {
                sb.append('^').append((char) (c + 64));
            } else if (c == 0x7f) {
                sb.append("^?");
            } else if (c >= 0x80 && c < 0xa0 || c == 0x2028 || c == 0x2029 || (c >= 0x200e && c <= 0x200f)
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
                sb.append(String.format("<U+%04X>", (int) c)); // C1 controls and bidi overrides
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

package dev.netcon.cli;

import java.util.List;

/** Syslog level names and numbers, as the kernel's printk uses them. */
final class Levels {
    static final List<String> NAMES = List.of("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug");

    private Levels() {
    }

    /** A name (emerg..debug, also "error", "warn", "panic") or a number 0..7. */
    static int parse(final String s) {
        final String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.matches("[0-7]")) {
            return Integer.parseInt(v);
        }
        final int i = NAMES.indexOf(v);
        if (i >= 0) {
            return i;
        }
        return switch (v) {
            case "error" -> 3;
            case "warn" -> 4;
            case "panic" -> 0;
            default -> throw new CommandException(ExitCodes.USAGE, "unknown level '" + s + "' (use " + String.join(", ", NAMES) + " or 0..7)");
        };
    }

    static String name(final int level) {
        return level >= 0 && level < NAMES.size() ? NAMES.get(level) : Integer.toString(level);
    }
}

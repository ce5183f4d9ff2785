package dev.netcon.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as events a command handles itself, so that it can flush and exit 0 instead of the
 * JVM's default 143/130. Uses jdk.unsupported's {@code sun.misc.Signal}: Java has no public API for this.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(final Runnable action) {
        for (final String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> action.run());
            } catch (final IllegalArgumentException e) {
                // not available on this platform: the JVM's default handling stays
            }
        }
    }

    /** Runs {@code action} on SIGUSR1 (e.g. print counters); ignored where the signal does not exist. */
    static void onUsr1(final Runnable action) {
        try {
            Signal.handle(new Signal("USR1"), s -> action.run());
        } catch (final IllegalArgumentException e) {
            // no SIGUSR1 here
        }
    }
}

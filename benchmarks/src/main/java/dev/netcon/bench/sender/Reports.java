package dev.netcon.bench.sender;

/**
 * Helpers for the end-of-run lines that the targets print at trial teardown.
 *
 * <p>That teardown runs inside the last measured iteration, so whatever it allocates lands in that
 * iteration's {@code -prof gc} B/op. The first use of a String concatenation site (and of printf) in a JVM
 * allocates hundreds of KB bootstrapping it; so each target builds its report once at setup ("warm up"),
 * and the line printed at the end costs a few hundred bytes.
 */
final class Reports {
    private Reports() {
    }

    /** "97.3%": part of whole to one decimal. */
    static String percent(final long part, final long whole) {
        return whole == 0 ? "n/a" : Math.round(1000.0 * part / whole) / 10.0 + "%";
    }
}

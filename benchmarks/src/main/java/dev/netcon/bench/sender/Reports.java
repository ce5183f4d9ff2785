package dev.netcon.bench.sender;

/** Small formatting helpers for the end-of-run lines, without java.util.Formatter (see NetconTarget.stop). */
final class Reports {
    private Reports() {
    }

    /** "97.3%": part of whole to one decimal. */
    static String percent(final long part, final long whole) {
        return whole == 0 ? "n/a" : Math.round(1000.0 * part / whole) / 10.0 + "%";
    }
}

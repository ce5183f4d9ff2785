package dev.netcon.protocol.testing;

import java.util.function.LongConsumer;

/**
 * Seeded randomized tests: each run uses fresh seeds (or the one given with {@code -Dnetcon.seed=N}) and any
 * failure names the seed that reproduces it.
 */
public final class Seeds {
    private Seeds() {
    }

    /** Runs {@code body} once per seed; rethrows a failure with its seed in the message. */
    public static void forEachSeed(final int runs, final LongConsumer body) {
        final String fixed = System.getProperty("netcon.seed");
        if (fixed != null) {
            runWithSeed(Long.parseLong(fixed), body);
            return;
        }
        final long base = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            runWithSeed(base + i * 0x9E3779B97F4A7C15L, body);
        }
    }

    private static void runWithSeed(final long seed, final LongConsumer body) {
        try {
            body.accept(seed);
        } catch (final AssertionError | RuntimeException e) {
            throw new AssertionError("failed with seed " + seed + " (rerun with -Dnetcon.seed=" + seed + "): "
                + e.getMessage(), e);
        }
    }
}

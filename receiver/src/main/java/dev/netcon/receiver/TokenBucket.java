package dev.netcon.receiver;

/** A token bucket refilled continuously at {@code ratePerSecond}, holding at most one second's worth. */
final class TokenBucket {
    private final double ratePerNs;
    private final double capacity;
    private double tokens;
    private long lastNs;

    TokenBucket(final double ratePerSecond, final long nowNs) {
        this.ratePerNs = ratePerSecond / 1e9;
        this.capacity = Math.max(1, ratePerSecond);
        this.tokens = capacity;
        this.lastNs = nowNs;
    }

    boolean tryTake(final double n, final long nowNs) {
        tokens = Math.min(capacity, tokens + (nowNs - lastNs) * ratePerNs);
        lastNs = nowNs;
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }
}

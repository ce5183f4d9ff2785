package dev.netcon.sender;

/**
 * A message and its stack trace as one record text: the newlines are escaped on the wire (\x0a), so the trace
 * stays one record; a long one is fragmented, or truncated past the sender's maximum record size.
 */
public final class StackTraces {
    private StackTraces() {
    }

    /** Appends "\n" and the throwable's printed trace (with causes) to {@code text}. Allocates: only on errors. */
    public static StringBuilder append(final StringBuilder text, final Throwable t) {
        if (t != null) {
            final java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            text.append('\n').append(w.toString().stripTrailing());
        }
        return text;
    }
}

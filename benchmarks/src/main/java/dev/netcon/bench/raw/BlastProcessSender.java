package dev.netcon.bench.raw;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code netcon blast} as it ships (the CLI jar, in a JVM of its own), one host, sending until stopped, so
 * that design.md section 8's "blast reaches 90% of a bare batched sender" is measured in the same rounds and
 * against the same receivers as the bare senders. Its text size is chosen so that its datagrams are as long as
 * the bare senders' payload. What it handed to the kernel is not visible from here: only received/s counts.
 */
final class BlastProcessSender implements LoadSender {
    /** Header ({@code 14,<seq>,<ts>,-;}), the text's "blast record <n> " prefix and the host= line, roughly. */
    private static final int FRAME_OVERHEAD = 40;

    private final Path jar;
    private Process process;

    BlastProcessSender(final Path jar) {
        this.jar = jar;
    }

    /** The CLI jar, from -Dnetcon.jar or the repository's build output; null when it was not built. */
    static Path findJar() {
        final Path jar = Path.of(System.getProperty("netcon.jar", "cli/target/netcon.jar"));
        return Files.isRegularFile(jar) ? jar : null;
    }

    @Override
    public void start(final InetSocketAddress target, final byte[] payload) throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "blast",
            "--target", target.getAddress().getHostAddress() + ":" + target.getPort(), "--hosts", "1",
            "--records", "1000000000", "--size", Integer.toString(Math.max(0, payload.length - FRAME_OVERHEAD)),
            "--hostname-prefix", "blast"))
            .redirectOutput(new File("/dev/null")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Override
    public long sent() {
        return -1; // only the receiver's count is known
    }

    @Override
    public long warmupMillis() {
        return 2500; // JVM start and JIT
    }

    @Override
    public String describe() {
        return "blast: netcon blast --hosts 1 (the CLI jar, own JVM); its sent/s is not visible, only received/s";
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

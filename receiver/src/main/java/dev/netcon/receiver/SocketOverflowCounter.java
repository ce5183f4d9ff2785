package dev.netcon.receiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Datagrams the kernel dropped because a socket's receive buffer was full: UDP {@code RcvbufErrors} from
 * /proc/net/snmp and /proc/net/snmp6, counted from when the receiver started. The kernel counts for the
 * whole network namespace, so other UDP sockets' overflows are included (a container has its own).
 */
final class SocketOverflowCounter {
    private final long baseline = read();

    long sinceStart() {
        final long now = read();
        return now < 0 || baseline < 0 ? 0 : now - baseline;
    }

    static long read() {
        long total = 0;
        boolean found = false;
        try {
            final List<String> snmp = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < snmp.size(); i++) {
                if (snmp.get(i).startsWith("Udp:") && snmp.get(i + 1).startsWith("Udp:")) {
                    final String[] names = snmp.get(i).split("\\s+");
                    final String[] values = snmp.get(i + 1).split("\\s+");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        if (names[k].equals("RcvbufErrors")) {
                            total += Long.parseLong(values[k]);
                            found = true;
                        }
                    }
                    break;
                }
            }
            final Path snmp6 = Path.of("/proc/net/snmp6");
            if (Files.exists(snmp6)) {
                for (final String line : Files.readAllLines(snmp6)) {
                    if (line.startsWith("Udp6RcvbufErrors")) {
                        total += Long.parseLong(line.substring("Udp6RcvbufErrors".length()).trim());
                        found = true;
                    }
                }
            }
        } catch (final IOException | RuntimeException e) {
            return -1;
        }
        return found ? total : -1;
    }
}

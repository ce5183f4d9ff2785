package dev.netcon.protocol.capture;

import java.util.Arrays;

/**
 * One captured UDP datagram: its payload, and where it came from when the capture says (a hex dump does not:
 * then the source is empty and the port 0).
 *
 * @param index      position in the capture, from 0
 * @param source     source address as text ("192.0.2.2", "2001:db8::1"), or "" when unknown
 * @param sourcePort source UDP port, or 0 when unknown
 * @param payload    the UDP payload bytes
 */
public record Datagram(int index, String source, int sourcePort, byte[] payload) {
    /** "address:port" ("[v6]:port" for IPv6), or "capture" when the capture has no addresses. */
    public String sourceKey() {
        if (source.isEmpty()) {
            return "capture";
        }
        return (source.indexOf(':') >= 0 ? "[" + source + "]" : source) + ":" + sourcePort;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Datagram d && d.index == index && d.source.equals(source) && d.sourcePort == sourcePort
            && Arrays.equals(d.payload, payload);
    }

    @Override
    public int hashCode() {
        return index * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Datagram{#" + index + " from " + sourceKey() + ", " + payload.length + " bytes}";
    }
}

package dev.netcon.receiver;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}, for {@code --allow}. */
public final class Cidr {
    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(final byte[] network, final int prefixLength, final String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    public static Cidr parse(final String text) {
        final int slash = text.indexOf('/');
        final String host = slash < 0 ? text : text.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + text + "': not an address block (e.g. 10.0.0.0/8 or 2001:db8::/32)");
        }
        final byte[] addr;
        try {
            addr = InetAddress.getByName(host).getAddress();
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': not an address", e);
        }
        final int bits = addr.length * 8;
        final int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be a number");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + bits);
        }
        return new Cidr(addr, prefix, text);
    }

    /** Whether {@code address} (4 or 16 bytes; IPv4-mapped IPv6 counts as IPv4) lies in this block. */
    public boolean contains(final InetAddress address) {
        final byte[] a = address.getAddress();
        return contains(a, a.length);
    }

    /** Whether the address {@code a[0..length)} (4 or 16 bytes) lies in this block; allocation-free. */
    public boolean contains(final byte[] a, final int length) {
        final int from = length == 16 && network.length == 4 && isV4Mapped(a) ? 12 : 0; // IPv4-mapped: its last 4 bytes
        if (length - from != network.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; i < network.length && bits > 0; i++, bits -= 8) {
            final int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[from + i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    static boolean isV4Mapped(final byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return text;
    }
}

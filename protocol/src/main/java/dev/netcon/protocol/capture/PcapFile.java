package dev.netcon.protocol.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Classic libpcap files: a 24-byte global header (magic in either byte order, microsecond or nanosecond
 * variant), then per packet a 16-byte record header and the captured bytes. Only UDP packets are returned;
 * other packets are skipped. IP fragments are skipped too (netconsole never sends any).
 */
final class PcapFile {
    private static final int MAGIC_US = 0xa1b2c3d4;
    private static final int MAGIC_NS = 0xa1b23c4d;
    private static final int LINKTYPE_NULL = 0;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_IPV4 = 228;
    private static final int LINKTYPE_IPV6 = 229;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int PROTO_UDP = 17;

    private PcapFile() {
    }

    static boolean isPcap(final byte[] b) {
        if (b.length < 4) {
            return false;
        }
        final int le = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        final int be = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        return le == MAGIC_US || le == MAGIC_NS || be == MAGIC_US || be == MAGIC_NS;
    }

    static List<Datagram> parse(final byte[] file) throws CaptureFormatException {
        if (file.length < 24) {
            throw new CaptureFormatException("pcap: file shorter than its 24-byte header");
        }
        final ByteBuffer buf = ByteBuffer.wrap(file);
        final int magic = buf.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        buf.order(magic == MAGIC_US || magic == MAGIC_NS ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        final int linkType = buf.getInt(20) & 0x0fffffff;
        final List<Datagram> out = new ArrayList<>();
        int pos = 24;
        int packet = 0;
        while (pos < file.length) {
            if (pos + 16 > file.length) {
                throw new CaptureFormatException("pcap: packet " + packet + " header truncated at byte " + pos);
            }
            final int capLen = buf.getInt(pos + 8);
            if (capLen < 0 || pos + 16 + capLen > file.length) {
                throw new CaptureFormatException("pcap: packet " + packet + " data truncated at byte " + pos);
            }
            final int start = pos + 16;
            final Datagram d = udp(file, start, start + capLen, linkType, out.size());
            if (d != null) {
                out.add(d);
            }
            pos = start + capLen;
            packet++;
        }
        return out;
    }

    private static Datagram udp(final byte[] b, final int start, final int end, final int linkType, final int index) {
        int ip;
        int etherType;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                ip = start + 14;
                etherType = u16(b, start + 12);
                while (etherType == ETHERTYPE_VLAN && ip + 4 <= end) {
                    etherType = u16(b, ip + 2);
                    ip += 4;
                }
            }
            case LINKTYPE_LINUX_SLL -> {
                ip = start + 16;
                etherType = u16(b, start + 14);
            }
            case LINKTYPE_NULL -> {
                ip = start + 4;
                etherType = (b[start] == 2 || b[start + 3] == 2) ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                ip = start;
                etherType = ip < end && (b[ip] & 0xf0) == 0x60 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
            }
            default -> {
                return null;
            }
        }
        if (etherType == ETHERTYPE_IPV4) {
            if (ip + 20 > end || (b[ip] & 0xf0) != 0x40 || b[ip + 9] != PROTO_UDP) {
                return null;
            }
            final int flagsFrag = u16(b, ip + 6);
            if ((flagsFrag & 0x3fff) != 0) {
                return null; // IP fragment
            }
            final int ihl = (b[ip] & 0x0f) * 4;
            return udpPayload(b, ip + ihl, Math.min(end, ip + u16(b, ip + 2)), address(b, ip + 12, 4), index);
        }
        if (etherType == ETHERTYPE_IPV6) {
            if (ip + 40 > end || b[ip + 6] != PROTO_UDP) {
                return null; // extension headers are not followed: netconsole sends none
            }
            return udpPayload(b, ip + 40, Math.min(end, ip + 40 + u16(b, ip + 4)), address(b, ip + 8, 16), index);
        }
        return null;
    }

    private static Datagram udpPayload(final byte[] b, final int udp, final int ipEnd, final String source, final int index) {
        if (udp + 8 > ipEnd) {
            return null;
        }
        final int udpLength = u16(b, udp + 4);
        final int payloadEnd = Math.min(ipEnd, udp + Math.max(8, udpLength));
        return new Datagram(index, source, u16(b, udp), Arrays.copyOfRange(b, udp + 8, payloadEnd));
    }

    private static String address(final byte[] b, final int at, final int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, at, at + length)).getHostAddress();
        } catch (final UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static int u16(final byte[] b, final int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}

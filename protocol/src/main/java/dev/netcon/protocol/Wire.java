package dev.netcon.protocol;

/**
 * Constants of the netconsole wire format (design.md section 2).
 *
 * <pre>
 * extended frame:
 *   [release,]prefix,seq,tsUsec,flag[,key=value...];body
 *   prefix = facility &lt;&lt; 3 | level, flag = '-' | 'c' | '+'
 * body:
 *   escaped text ['\n' ' ' KEY '=' VALUE]* ['\n']
 * fragment (body longer than fits in one datagram):
 *   header with ",ncfrag=&lt;offset&gt;/&lt;total&gt;" before ';', offset and total count body bytes
 * </pre>
 */
public final class Wire {
    /** Largest UDP payload netconsole sends (MAX_PRINT_CHUNK). Fragments are cut to fit it. */
    public static final int MAX_PAYLOAD = 1000;
    /** Default netconsole ports. */
    public static final int DEFAULT_RECEIVER_PORT = 6666;
    public static final int DEFAULT_SENDER_PORT = 6665;
    /** Largest prefix value: facility 0..127 and level 0..7 as in /dev/kmsg. */
    public static final int MAX_PREFIX = 1023;
    /** Longest release string accepted before the header (the kernel's UTS release is at most 64). */
    public static final int MAX_RELEASE_LENGTH = 64;
    /** Longest header accepted, release included. */
    public static final int MAX_HEADER_LENGTH = 256;

    public static final byte FLAG_NONE = '-';
    /** KERN_CONT record the kernel could not merge: a complete line of its own, stored with the flag. */
    public static final byte FLAG_CONT = 'c';
    /** Old kernels: continues the previous record; joined onto it. */
    public static final byte FLAG_CONT_MORE = '+';

    public static final String NCFRAG = "ncfrag";
    public static final String NCEMG = "ncemg";
    /** Prefix of an ncrx acknowledgement datagram: {@code ncrx<acked>[ <missing>...]}. */
    public static final String NCRX = "ncrx";

    private Wire() {
    }

    public static int facility(final int prefix) {
        return prefix >>> 3;
    }

    public static int level(final int prefix) {
        return prefix & 7;
    }

    public static int prefix(final int facility, final int level) {
        return facility << 3 | level;
    }
}

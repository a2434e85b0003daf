package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct ipv6_mreq} (netinet/in.h), for IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP:
 * <pre>
 *  0                                  16                 20
 *  +----------------------------------+------------------+
 *  | ipv6mr_multiaddr (16 bytes)      | ipv6mr_interface |
 *  |                                  |  unsigned int    |
 *  +----------------------------------+------------------+
 * </pre>
 */
public final class Ipv6Mreq {
    private Ipv6Mreq() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("ipv6mr_multiaddr"),
            ValueLayout.JAVA_INT.withName("ipv6mr_interface")).withName("ipv6_mreq");

    public static final long OFFSET_MULTIADDR = LAYOUT.byteOffset(groupElement("ipv6mr_multiaddr"));
    public static final long OFFSET_INTERFACE = LAYOUT.byteOffset(groupElement("ipv6mr_interface"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    public static void write(MemorySegment m, byte[] group, int ifindex) {
        MemorySegment.copy(group, 0, m, ValueLayout.JAVA_BYTE, OFFSET_MULTIADDR, 16);
        m.set(ValueLayout.JAVA_INT, OFFSET_INTERFACE, ifindex);
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct ip_mreqn} (netinet/in.h), for IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP and IP_MULTICAST_IF: a
 * group, and the interface by local address or by index (the index wins when it is not 0):
 * <pre>
 *  0               4               8             12
 *  +---------------+---------------+-------------+
 *  | imr_multiaddr |  imr_address  | imr_ifindex |
 *  |   (4, BE)     |    (4, BE)    |    int      |
 *  +---------------+---------------+-------------+
 * </pre>
 */
public final class IpMreqn {
    private IpMreqn() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_multiaddr"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_address"),
            ValueLayout.JAVA_INT.withName("imr_ifindex")).withName("ip_mreqn");

    public static final long OFFSET_MULTIADDR = LAYOUT.byteOffset(groupElement("imr_multiaddr"));
    public static final long OFFSET_ADDRESS = LAYOUT.byteOffset(groupElement("imr_address"));
    public static final long OFFSET_IFINDEX = LAYOUT.byteOffset(groupElement("imr_ifindex"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Fills {@code m}; {@code group} and {@code local} are 4 bytes each ({@code local} may be all zero). */
    public static void write(MemorySegment m, byte[] group, byte[] local, int ifindex) {
        MemorySegment.copy(group, 0, m, ValueLayout.JAVA_BYTE, OFFSET_MULTIADDR, 4);
        MemorySegment.copy(local, 0, m, ValueLayout.JAVA_BYTE, OFFSET_ADDRESS, 4);
        m.set(ValueLayout.JAVA_INT, OFFSET_IFINDEX, ifindex);
    }
}

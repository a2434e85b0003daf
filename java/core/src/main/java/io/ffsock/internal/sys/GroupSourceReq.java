package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct group_source_req} (netinet/in.h, RFC 3678), for MCAST_JOIN_SOURCE_GROUP /
 * MCAST_LEAVE_SOURCE_GROUP at level IPPROTO_IP or IPPROTO_IPV6 — the protocol-independent source-specific join:
 * <pre>
 *  0               4     8                                 136                               264
 *  +---------------+-----+---------------------------------+---------------------------------+
 *  | gsr_interface | pad | gsr_group (sockaddr_storage)    | gsr_source (sockaddr_storage)   |
 *  |   uint32_t    |     |                                 |                                 |
 *  +---------------+-----+---------------------------------+---------------------------------+
 * </pre>
 */
public final class GroupSourceReq {
    private GroupSourceReq() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("gsr_interface"),
            MemoryLayout.paddingLayout(4),
            SockaddrStorage.LAYOUT.withName("gsr_group"),
            SockaddrStorage.LAYOUT.withName("gsr_source")).withName("group_source_req");

    public static final long OFFSET_INTERFACE = LAYOUT.byteOffset(groupElement("gsr_interface"));
    public static final long OFFSET_GROUP = LAYOUT.byteOffset(groupElement("gsr_group"));
    public static final long OFFSET_SOURCE = LAYOUT.byteOffset(groupElement("gsr_source"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Fills {@code m} (zeroed first) with the interface index, the group and the source (port 0). */
    public static void write(MemorySegment m, int ifindex, SockAddr group, SockAddr source) {
        m.asSlice(0, SIZE).fill((byte) 0);
        m.set(ValueLayout.JAVA_INT, OFFSET_INTERFACE, ifindex);
        group.encode(m.asSlice(OFFSET_GROUP, SockaddrStorage.SIZE));
        source.encode(m.asSlice(OFFSET_SOURCE, SockaddrStorage.SIZE));
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct ip_mreq_source} (netinet/in.h), for IP_ADD_SOURCE_MEMBERSHIP / IP_DROP_SOURCE_MEMBERSHIP: a group,
 * the local interface address, and the one source to receive from. Note glibc's order, which differs from the BSDs:
 * <pre>
 *  0               4               8                12
 *  +---------------+---------------+----------------+
 *  | imr_multiaddr | imr_interface | imr_sourceaddr |
 *  |   (4, BE)     |    (4, BE)    |    (4, BE)     |
 *  +---------------+---------------+----------------+
 * </pre>
 */
public final class IpMreqSource {
    private IpMreqSource() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_multiaddr"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_interface"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_sourceaddr"))
            .withName("ip_mreq_source").withByteAlignment(4);

    public static final long OFFSET_MULTIADDR = LAYOUT.byteOffset(groupElement("imr_multiaddr"));
    public static final long OFFSET_INTERFACE = LAYOUT.byteOffset(groupElement("imr_interface"));
    public static final long OFFSET_SOURCEADDR = LAYOUT.byteOffset(groupElement("imr_sourceaddr"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Fills {@code m} with three 4-byte addresses. */
    public static void write(MemorySegment m, byte[] group, byte[] local, byte[] source) {
        MemorySegment.copy(group, 0, m, ValueLayout.JAVA_BYTE, OFFSET_MULTIADDR, 4);
        MemorySegment.copy(local, 0, m, ValueLayout.JAVA_BYTE, OFFSET_INTERFACE, 4);
        MemorySegment.copy(source, 0, m, ValueLayout.JAVA_BYTE, OFFSET_SOURCEADDR, 4);
    }
}

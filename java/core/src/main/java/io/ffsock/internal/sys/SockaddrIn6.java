package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct sockaddr_in6} (netinet/in.h):
 * <pre>
 *  0      2      4              8                                24             28
 *  +------+------+--------------+--------------------------------+--------------+
 *  |family| port | sin6_flowinfo|   sin6_addr (16 bytes)         | sin6_scope_id|
 *  | host | BE   |   (BE)       |                                | (host order) |
 *  +------+------+--------------+--------------------------------+--------------+
 * </pre>
 */
public final class SockaddrIn6 {
    private SockaddrIn6() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            ValueLayout.JAVA_SHORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    public static final long OFFSET_FAMILY = LAYOUT.byteOffset(groupElement("sin6_family"));
    public static final long OFFSET_PORT = LAYOUT.byteOffset(groupElement("sin6_port"));
    public static final long OFFSET_FLOWINFO = LAYOUT.byteOffset(groupElement("sin6_flowinfo"));
    public static final long OFFSET_ADDR = LAYOUT.byteOffset(groupElement("sin6_addr"));
    public static final long OFFSET_SCOPE_ID = LAYOUT.byteOffset(groupElement("sin6_scope_id"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final ValueLayout.OfShort PORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Fills {@code sa} (at least {@link #SIZE} bytes) and returns the length to pass to the kernel. */
    public static int write(MemorySegment sa, byte[] addr16, int port, int scopeId) {
        sa.asSlice(0, SIZE).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, OFFSET_FAMILY, (short) Net.AF_INET6);
        sa.set(PORT_BE, OFFSET_PORT, (short) port);
        MemorySegment.copy(addr16, 0, sa, ValueLayout.JAVA_BYTE, OFFSET_ADDR, 16);
        sa.set(ValueLayout.JAVA_INT, OFFSET_SCOPE_ID, scopeId);
        return SIZE;
    }

    public static int port(MemorySegment sa) {
        return Short.toUnsignedInt(sa.get(PORT_BE, OFFSET_PORT));
    }

    public static byte[] addr(MemorySegment sa) {
        return sa.asSlice(OFFSET_ADDR, 16).toArray(ValueLayout.JAVA_BYTE);
    }

    public static int scopeId(MemorySegment sa) {
        return sa.get(ValueLayout.JAVA_INT, OFFSET_SCOPE_ID);
    }
}

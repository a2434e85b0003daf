package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct sockaddr_in} (netinet/in.h):
 * <pre>
 *  0      2      4              8                     16
 *  +------+------+--------------+---------------------+
 *  |family| port |   sin_addr   |      sin_zero       |
 *  | host | BE   |   (4 bytes)  |      (8 bytes)      |
 *  +------+------+--------------+---------------------+
 * </pre>
 */
public final class SockaddrIn {
    private SockaddrIn() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            ValueLayout.JAVA_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in")
            .withByteAlignment(4); // struct in_addr holds a uint32_t, so C aligns the struct to 4

    public static final long OFFSET_FAMILY = LAYOUT.byteOffset(groupElement("sin_family"));
    public static final long OFFSET_PORT = LAYOUT.byteOffset(groupElement("sin_port"));
    public static final long OFFSET_ADDR = LAYOUT.byteOffset(groupElement("sin_addr"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final ValueLayout.OfShort PORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Fills {@code sa} (at least {@link #SIZE} bytes) and returns the length to pass to the kernel. */
    public static int write(MemorySegment sa, byte[] addr4, int port) {
        sa.asSlice(0, SIZE).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, OFFSET_FAMILY, (short) Net.AF_INET);
        sa.set(PORT_BE, OFFSET_PORT, (short) port);
        MemorySegment.copy(addr4, 0, sa, ValueLayout.JAVA_BYTE, OFFSET_ADDR, 4);
        return SIZE;
    }

    public static int port(MemorySegment sa) {
        return Short.toUnsignedInt(sa.get(PORT_BE, OFFSET_PORT));
    }

    public static byte[] addr(MemorySegment sa) {
        return sa.asSlice(OFFSET_ADDR, 4).toArray(ValueLayout.JAVA_BYTE);
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct mmsghdr} (sys/socket.h, _GNU_SOURCE), one element of the vector sendmmsg(2) and recvmmsg(2) take:
 * <pre>
 *  0                                  56        60    64
 *  +----------------------------------+---------+-----+
 *  |   msg_hdr (struct msghdr, 56)    | msg_len | pad |
 *  +----------------------------------+---------+-----+
 * </pre>
 * {@code msg_len} is written by the kernel: the bytes sent, or received (the real length of the datagram when
 * recvmmsg is given MSG_TRUNC).
 */
public final class Mmsghdr {
    private Mmsghdr() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Msghdr.LAYOUT.withName("msg_hdr"),
            ValueLayout.JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4)).withName("mmsghdr");

    public static final long OFFSET_HDR = LAYOUT.byteOffset(groupElement("msg_hdr"));
    public static final long OFFSET_LEN = LAYOUT.byteOffset(groupElement("msg_len"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** {@code msg_len} of element {@code i}, as an unsigned count. */
    public static long len(MemorySegment vec, int i) {
        return Integer.toUnsignedLong(vec.get(ValueLayout.JAVA_INT, (long) i * SIZE + OFFSET_LEN));
    }
}

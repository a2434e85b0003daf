package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct msghdr} (sys/socket.h), the argument of sendmsg(2) and recvmsg(2), LP64:
 * <pre>
 *  0          8             12    16         24            32            40               48          52    56
 *  +----------+-------------+-----+----------+-------------+-------------+----------------+-----------+-----+
 *  | msg_name | msg_namelen | pad | msg_iov  | msg_iovlen  | msg_control | msg_controllen | msg_flags | pad |
 *  |  (ptr)   |  socklen_t  |     |  (ptr)   |   size_t    |    (ptr)    |     size_t     |    int    |     |
 *  +----------+-------------+-----+----------+-------------+-------------+----------------+-----------+-----+
 * </pre>
 * Every pointer in it must point into native memory that outlives the call: the kernel follows them.
 */
public final class Msghdr {
    private Msghdr() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("msg_name"),
            ValueLayout.JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("msg_iov"),
            ValueLayout.JAVA_LONG.withName("msg_iovlen"),
            ValueLayout.ADDRESS.withName("msg_control"),
            ValueLayout.JAVA_LONG.withName("msg_controllen"),
            ValueLayout.JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    public static final long OFFSET_NAME = LAYOUT.byteOffset(groupElement("msg_name"));
    public static final long OFFSET_NAMELEN = LAYOUT.byteOffset(groupElement("msg_namelen"));
    public static final long OFFSET_IOV = LAYOUT.byteOffset(groupElement("msg_iov"));
    public static final long OFFSET_IOVLEN = LAYOUT.byteOffset(groupElement("msg_iovlen"));
    public static final long OFFSET_CONTROL = LAYOUT.byteOffset(groupElement("msg_control"));
    public static final long OFFSET_CONTROLLEN = LAYOUT.byteOffset(groupElement("msg_controllen"));
    public static final long OFFSET_FLAGS = LAYOUT.byteOffset(groupElement("msg_flags"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /**
     * Fills the header at {@code at} in {@code m}. {@code name} and {@code control} may be
     * {@link MemorySegment#NULL} (with length 0).
     */
    public static void set(MemorySegment m, long at, MemorySegment name, int nameLen, MemorySegment iov, long iovLen,
                           MemorySegment control, long controlLen) {
        m.set(ValueLayout.ADDRESS, at + OFFSET_NAME, name);
        m.set(ValueLayout.JAVA_INT, at + OFFSET_NAMELEN, nameLen);
        m.set(ValueLayout.ADDRESS, at + OFFSET_IOV, iov);
        m.set(ValueLayout.JAVA_LONG, at + OFFSET_IOVLEN, iovLen);
        m.set(ValueLayout.ADDRESS, at + OFFSET_CONTROL, control);
        m.set(ValueLayout.JAVA_LONG, at + OFFSET_CONTROLLEN, controlLen);
        m.set(ValueLayout.JAVA_INT, at + OFFSET_FLAGS, 0);
    }

    public static int nameLen(MemorySegment m, long at) {
        return m.get(ValueLayout.JAVA_INT, at + OFFSET_NAMELEN);
    }

    public static void nameLen(MemorySegment m, long at, int len) {
        m.set(ValueLayout.JAVA_INT, at + OFFSET_NAMELEN, len);
    }

    public static long controlLen(MemorySegment m, long at) {
        return m.get(ValueLayout.JAVA_LONG, at + OFFSET_CONTROLLEN);
    }

    public static void controlLen(MemorySegment m, long at, long len) {
        m.set(ValueLayout.JAVA_LONG, at + OFFSET_CONTROLLEN, len);
    }

    public static int flags(MemorySegment m, long at) {
        return m.get(ValueLayout.JAVA_INT, at + OFFSET_FLAGS);
    }

    public static void flags(MemorySegment m, long at, int flags) {
        m.set(ValueLayout.JAVA_INT, at + OFFSET_FLAGS, flags);
    }
}

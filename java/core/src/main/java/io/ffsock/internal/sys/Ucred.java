package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct ucred} (sys/socket.h, _GNU_SOURCE), what SO_PEERCRED reports for a UNIX socket's peer: the
 * credentials it had when it connected (or when the pair was made).
 * <pre>
 *  0       4       8       12
 *  +-------+-------+-------+
 *  |  pid  |  uid  |  gid  |
 *  +-------+-------+-------+
 * </pre>
 */
public final class Ucred {
    private Ucred() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("pid"),
            ValueLayout.JAVA_INT.withName("uid"),
            ValueLayout.JAVA_INT.withName("gid")).withName("ucred");

    public static final long OFFSET_PID = LAYOUT.byteOffset(groupElement("pid"));
    public static final long OFFSET_UID = LAYOUT.byteOffset(groupElement("uid"));
    public static final long OFFSET_GID = LAYOUT.byteOffset(groupElement("gid"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    public static int pid(MemorySegment m) {
        return m.get(ValueLayout.JAVA_INT, OFFSET_PID);
    }

    /** uid_t is unsigned: a long, so that the overflow uid 4294967294 does not read as -2. */
    public static long uid(MemorySegment m) {
        return Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT, OFFSET_UID));
    }

    public static long gid(MemorySegment m) {
        return Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT, OFFSET_GID));
    }
}

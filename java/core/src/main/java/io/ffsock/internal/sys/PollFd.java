package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct pollfd} (poll.h):
 * <pre>
 *  0        4        6         8
 *  +--------+--------+---------+
 *  |   fd   | events | revents |
 *  +--------+--------+---------+
 * </pre>
 */
public final class PollFd {
    private PollFd() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents")).withName("pollfd");

    public static final long OFFSET_FD = LAYOUT.byteOffset(groupElement("fd"));
    public static final long OFFSET_EVENTS = LAYOUT.byteOffset(groupElement("events"));
    public static final long OFFSET_REVENTS = LAYOUT.byteOffset(groupElement("revents"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    public static void set(MemorySegment p, int fd, short events) {
        p.set(ValueLayout.JAVA_INT, OFFSET_FD, fd);
        p.set(ValueLayout.JAVA_SHORT, OFFSET_EVENTS, events);
        p.set(ValueLayout.JAVA_SHORT, OFFSET_REVENTS, (short) 0);
    }

    public static short revents(MemorySegment p) {
        return p.get(ValueLayout.JAVA_SHORT, OFFSET_REVENTS);
    }
}

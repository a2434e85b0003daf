package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct linger} (sys/socket.h), the value of SO_LINGER:
 * <pre>
 *  0          4          8
 *  +----------+----------+
 *  | l_onoff  | l_linger |
 *  |   int    | int (s)  |
 *  +----------+----------+
 * </pre>
 */
public final class Linger {
    private Linger() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("l_onoff"),
            ValueLayout.JAVA_INT.withName("l_linger")).withName("linger");

    public static final long OFFSET_ONOFF = LAYOUT.byteOffset(groupElement("l_onoff"));
    public static final long OFFSET_LINGER = LAYOUT.byteOffset(groupElement("l_linger"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    public static void write(MemorySegment m, boolean on, int seconds) {
        m.set(ValueLayout.JAVA_INT, OFFSET_ONOFF, on ? 1 : 0);
        m.set(ValueLayout.JAVA_INT, OFFSET_LINGER, seconds);
    }

    public static boolean on(MemorySegment m) {
        return m.get(ValueLayout.JAVA_INT, OFFSET_ONOFF) != 0;
    }

    public static int seconds(MemorySegment m) {
        return m.get(ValueLayout.JAVA_INT, OFFSET_LINGER);
    }
}

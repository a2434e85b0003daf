package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct linger} (sys/socket.h), the value of {@code SO_LINGER}:
 * <pre>
 *  0           4           8
 *  +-----------+-----------+
 *  | l_onoff   | l_linger  |
 *  |           | (seconds) |
 *  +-----------+-----------+
 * </pre>
 * {@code l_onoff = 1, l_linger = 0} makes {@code close(2)} discard unsent data and reset the connection (RST).
 */
public final class Linger {
    private Linger() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("l_onoff"),
            ValueLayout.JAVA_INT.withName("l_linger")).withName("linger");

    public static final long OFFSET_ONOFF = LAYOUT.byteOffset(groupElement("l_onoff"));
    public static final long OFFSET_LINGER = LAYOUT.byteOffset(groupElement("l_linger"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Fills {@code l} (at least {@link #SIZE} bytes). */
    public static void set(MemorySegment l, boolean on, int seconds) {
        l.set(ValueLayout.JAVA_INT, OFFSET_ONOFF, on ? 1 : 0);
        l.set(ValueLayout.JAVA_INT, OFFSET_LINGER, seconds);
    }
}

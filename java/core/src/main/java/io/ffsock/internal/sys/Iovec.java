package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct iovec} (sys/uio.h):
 * <pre>
 *  0            8            16
 *  +------------+------------+
 *  |  iov_base  |  iov_len   |
 *  +------------+------------+
 * </pre>
 */
public final class Iovec {
    private Iovec() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len")).withName("iovec");

    public static final long OFFSET_BASE = LAYOUT.byteOffset(groupElement("iov_base"));
    public static final long OFFSET_LEN = LAYOUT.byteOffset(groupElement("iov_len"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Sets entry {@code i} of an iovec array to a native segment. */
    public static void set(MemorySegment array, int i, MemorySegment base, long len) {
        long at = (long) i * SIZE;
        array.set(ValueLayout.ADDRESS, at + OFFSET_BASE, base);
        array.set(ValueLayout.JAVA_LONG, at + OFFSET_LEN, len);
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct rlimit} (sys/resource.h), {@code rlim_t} being 64 bits on both platforms:
 * <pre>
 *  0             8             16
 *  +-------------+-------------+
 *  |  rlim_cur   |  rlim_max   |
 *  |  (soft)     |  (hard)     |
 *  +-------------+-------------+
 * </pre>
 * {@code RLIM_INFINITY} is all ones, which reads as -1 in a Java {@code long}.
 */
public final class Rlimit {
    private Rlimit() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("rlim_cur"),
            ValueLayout.JAVA_LONG.withName("rlim_max")).withName("rlimit");

    public static final long OFFSET_CUR = LAYOUT.byteOffset(groupElement("rlim_cur"));
    public static final long OFFSET_MAX = LAYOUT.byteOffset(groupElement("rlim_max"));
    public static final int SIZE = (int) LAYOUT.byteSize();
}

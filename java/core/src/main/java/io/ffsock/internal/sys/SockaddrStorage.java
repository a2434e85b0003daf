package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct sockaddr_storage} (sys/socket.h): 128 bytes, 8-aligned, large enough for every address family; the
 * family sits in the first two bytes as in every sockaddr.
 */
public final class SockaddrStorage {
    private SockaddrStorage() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("ss_family"),
            MemoryLayout.paddingLayout(6),
            MemoryLayout.sequenceLayout(15, ValueLayout.JAVA_LONG).withName("__ss_align"))
            .withName("sockaddr_storage");

    public static final long OFFSET_FAMILY = LAYOUT.byteOffset(groupElement("ss_family"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    public static int family(MemorySegment sa) {
        return Short.toUnsignedInt(sa.get(ValueLayout.JAVA_SHORT, OFFSET_FAMILY));
    }
}

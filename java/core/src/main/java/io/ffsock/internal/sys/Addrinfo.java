package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct addrinfo} (netdb.h), the glibc/Linux order:
 * <pre>
 *  0        4         8           12          16         20    24        32            40        48
 *  +--------+---------+-----------+-----------+----------+-----+---------+-------------+---------+
 *  |ai_flags|ai_family|ai_socktype|ai_protocol|ai_addrlen| pad | ai_addr | ai_canonname| ai_next |
 *  +--------+---------+-----------+-----------+----------+-----+---------+-------------+---------+
 * </pre>
 */
public final class Addrinfo {
    private Addrinfo() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("ai_flags"),
            ValueLayout.JAVA_INT.withName("ai_family"),
            ValueLayout.JAVA_INT.withName("ai_socktype"),
            ValueLayout.JAVA_INT.withName("ai_protocol"),
            ValueLayout.JAVA_INT.withName("ai_addrlen"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("ai_addr"),
            ValueLayout.ADDRESS.withName("ai_canonname"),
            ValueLayout.ADDRESS.withName("ai_next")).withName("addrinfo");

    public static final long OFFSET_FLAGS = LAYOUT.byteOffset(groupElement("ai_flags"));
    public static final long OFFSET_FAMILY = LAYOUT.byteOffset(groupElement("ai_family"));
    public static final long OFFSET_SOCKTYPE = LAYOUT.byteOffset(groupElement("ai_socktype"));
    public static final long OFFSET_PROTOCOL = LAYOUT.byteOffset(groupElement("ai_protocol"));
    public static final long OFFSET_ADDRLEN = LAYOUT.byteOffset(groupElement("ai_addrlen"));
    public static final long OFFSET_ADDR = LAYOUT.byteOffset(groupElement("ai_addr"));
    public static final long OFFSET_CANONNAME = LAYOUT.byteOffset(groupElement("ai_canonname"));
    public static final long OFFSET_NEXT = LAYOUT.byteOffset(groupElement("ai_next"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Writes the hints for getaddrinfo into a zeroed struct. */
    public static void writeHints(MemorySegment ai, int flags, int family, int socktype, int protocol) {
        ai.asSlice(0, SIZE).fill((byte) 0);
        ai.set(ValueLayout.JAVA_INT, OFFSET_FLAGS, flags);
        ai.set(ValueLayout.JAVA_INT, OFFSET_FAMILY, family);
        ai.set(ValueLayout.JAVA_INT, OFFSET_SOCKTYPE, socktype);
        ai.set(ValueLayout.JAVA_INT, OFFSET_PROTOCOL, protocol);
    }

    /** Views a node of a list returned by getaddrinfo (a zero-length pointer) as a whole struct. */
    public static MemorySegment node(MemorySegment p) {
        return p.reinterpret(SIZE);
    }

    public static int family(MemorySegment ai) {
        return ai.get(ValueLayout.JAVA_INT, OFFSET_FAMILY);
    }

    public static int socktype(MemorySegment ai) {
        return ai.get(ValueLayout.JAVA_INT, OFFSET_SOCKTYPE);
    }

    public static int protocol(MemorySegment ai) {
        return ai.get(ValueLayout.JAVA_INT, OFFSET_PROTOCOL);
    }

    public static int addrlen(MemorySegment ai) {
        return ai.get(ValueLayout.JAVA_INT, OFFSET_ADDRLEN);
    }

    /** The node's sockaddr, bounded by ai_addrlen (itself bounded by sockaddr_storage). */
    public static MemorySegment addr(MemorySegment ai) {
        int len = Math.min(Math.max(addrlen(ai), 0), SockaddrStorage.SIZE);
        return ai.get(ValueLayout.ADDRESS, OFFSET_ADDR).reinterpret(len);
    }

    public static MemorySegment next(MemorySegment ai) {
        return ai.get(ValueLayout.ADDRESS, OFFSET_NEXT);
    }
}

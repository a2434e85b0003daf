package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct epoll_event} (sys/epoll.h), whose layout differs between the two platforms ffsock runs on.
 * <p>
 * On x86-64 glibc declares the struct {@code __attribute__((packed))} (the kernel's x86-64 ABI kept the i386
 * layout), so {@code data} follows {@code events} directly and the struct is 12 bytes with alignment 1:
 * <pre>
 *  x86-64 (packed)
 *  0        4                    12
 *  +--------+--------------------+
 *  | events |  data (u64, union) |
 *  +--------+--------------------+
 * </pre>
 * On aarch64 the struct is naturally aligned: four bytes of padding put {@code data} at offset 8, 16 bytes in all:
 * <pre>
 *  aarch64
 *  0        4        8                    16
 *  +--------+--------+--------------------+
 *  | events |  pad   |  data (u64, union) |
 *  +--------+--------+--------------------+
 * </pre>
 * {@code data} is a union ({@code void *ptr; int fd; uint32_t u32; uint64_t u64}); ffsock always stores a
 * {@code u64}. The layout is chosen once, here, from {@code os.arch}; the struct-layout test checks it against the
 * C compiler of the machine the tests run on.
 */
public final class EpollEvent {
    private EpollEvent() {}

    private static final boolean PACKED = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> true;
        default -> false;
    };

    public static final StructLayout LAYOUT = PACKED
            ? MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT_UNALIGNED.withName("events"),
                    ValueLayout.JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event")
            : MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.JAVA_LONG.withName("data")).withName("epoll_event");

    public static final long OFFSET_EVENTS = LAYOUT.byteOffset(groupElement("events"));
    public static final long OFFSET_DATA = LAYOUT.byteOffset(groupElement("data"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Fills entry {@code i} of an array of {@code epoll_event}. */
    public static void set(MemorySegment array, int i, int events, long data) {
        long at = (long) i * SIZE;
        array.set(ValueLayout.JAVA_INT_UNALIGNED, at + OFFSET_EVENTS, events);
        array.set(ValueLayout.JAVA_LONG_UNALIGNED, at + OFFSET_DATA, data);
    }

    /** The {@code events} of entry {@code i}. */
    public static int events(MemorySegment array, int i) {
        return array.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * SIZE + OFFSET_EVENTS);
    }

    /** The {@code data.u64} of entry {@code i}. */
    public static long data(MemorySegment array, int i) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * SIZE + OFFSET_DATA);
    }
}

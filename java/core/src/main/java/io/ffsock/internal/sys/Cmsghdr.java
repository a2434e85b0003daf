package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct cmsghdr} (sys/socket.h), the header of one ancillary data item in {@code msg_control}, followed by
 * its data at {@code CMSG_DATA} and padding up to the next header at {@code CMSG_ALIGN}:
 * <pre>
 *  0                  8            12           16                        CMSG_SPACE(n)
 *  +------------------+------------+------------+---------------------+---+
 *  |     cmsg_len     | cmsg_level | cmsg_type  |  data (n bytes)     |pad|  next cmsghdr ...
 *  | size_t: 16 + n   |    int     |    int     |                     |   |
 *  +------------------+------------+------------+---------------------+---+
 * </pre>
 * The walk over a control buffer that the kernel filled ({@link #next}) trusts no length: every header and every
 * data range is checked against the bytes the kernel reported ({@code msg_controllen}) before it is read.
 */
public final class Cmsghdr {
    private Cmsghdr() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("cmsg_len"),
            ValueLayout.JAVA_INT.withName("cmsg_level"),
            ValueLayout.JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    public static final long OFFSET_LEN = LAYOUT.byteOffset(groupElement("cmsg_len"));
    public static final long OFFSET_LEVEL = LAYOUT.byteOffset(groupElement("cmsg_level"));
    public static final long OFFSET_TYPE = LAYOUT.byteOffset(groupElement("cmsg_type"));
    /** sizeof(struct cmsghdr), and the offset of {@code CMSG_DATA} (the header is already aligned). */
    public static final int SIZE = (int) LAYOUT.byteSize();
    private static final long ALIGN = LAYOUT.byteAlignment();

    /** {@code CMSG_ALIGN(len)}: rounded up to the alignment of a header. */
    public static long align(long len) {
        return (len + ALIGN - 1) & -ALIGN;
    }

    /** {@code CMSG_LEN(n)}: the {@code cmsg_len} of an item with {@code n} data bytes. */
    public static long len(long n) {
        return SIZE + n;
    }

    /** {@code CMSG_SPACE(n)}: the room an item with {@code n} data bytes takes in a control buffer. */
    public static long space(long n) {
        return SIZE + align(n);
    }

    /** Writes a header at {@code at} for {@code n} data bytes; the data goes at {@code at + SIZE}. */
    public static void write(MemorySegment buf, long at, int level, int type, long n) {
        buf.set(ValueLayout.JAVA_LONG, at + OFFSET_LEN, len(n));
        buf.set(ValueLayout.JAVA_INT, at + OFFSET_LEVEL, level);
        buf.set(ValueLayout.JAVA_INT, at + OFFSET_TYPE, type);
    }

    public static int level(MemorySegment buf, long at) {
        return buf.get(ValueLayout.JAVA_INT, at + OFFSET_LEVEL);
    }

    public static int type(MemorySegment buf, long at) {
        return buf.get(ValueLayout.JAVA_INT, at + OFFSET_TYPE);
    }

    /**
     * The data length of the item at {@code at} in the first {@code used} bytes of {@code buf}, or -1 when the
     * header does not fit there, claims less than a header, or claims data beyond {@code used}.
     */
    public static long dataLen(MemorySegment buf, long at, long used) {
        if (at < 0 || at + SIZE > used) {
            return -1;
        }
        long len = buf.get(ValueLayout.JAVA_LONG, at + OFFSET_LEN);
        if (len < SIZE || len > used - at) {
            return -1;
        }
        return len - SIZE;
    }

    /**
     * {@code CMSG_NXTHDR}: the offset of the item after the one at {@code at}, or -1 when there is none within
     * {@code used} bytes. Call only on an item {@link #dataLen} accepted.
     */
    public static long next(MemorySegment buf, long at, long used) {
        long len = buf.get(ValueLayout.JAVA_LONG, at + OFFSET_LEN);
        long n = at + align(len);
        return n + SIZE <= used ? n : -1;
    }
}

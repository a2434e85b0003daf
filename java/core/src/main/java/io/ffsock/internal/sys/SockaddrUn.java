package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct sockaddr_un} (sys/un.h):
 * <pre>
 *  0      2                                               110
 *  +------+-----------------------------------------------+
 *  |family|  sun_path: up to 107 bytes + NUL               |
 *  +------+-----------------------------------------------+
 * </pre>
 * A path that does not fit is rejected by the caller, never truncated (a truncated path names another file).
 */
public final class SockaddrUn {
    private SockaddrUn() {}

    public static final int PATH_CAPACITY = 108;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(PATH_CAPACITY, ValueLayout.JAVA_BYTE).withName("sun_path"))
            .withName("sockaddr_un");

    public static final long OFFSET_FAMILY = LAYOUT.byteOffset(groupElement("sun_family"));
    public static final long OFFSET_PATH = LAYOUT.byteOffset(groupElement("sun_path"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /**
     * Fills {@code sa} with {@code path} (its bytes, already checked to be at most {@link Net#UNIX_PATH_MAX} long)
     * and returns the address length: the family, the path and its NUL.
     * <p>
     * A path that starts with {@code '@'} names Linux's abstract namespace, as {@link #path} and ss(8) print it:
     * the '@' becomes the leading NUL, and the length covers the name exactly, with no terminating NUL (an abstract
     * name is all of its bytes, so a NUL would be part of it).
     */
    public static int write(MemorySegment sa, byte[] path) {
        if (path.length > Net.UNIX_PATH_MAX) {
            throw new IllegalArgumentException("UNIX socket path longer than " + Net.UNIX_PATH_MAX + " bytes");
        }
        sa.asSlice(0, SIZE).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, OFFSET_FAMILY, (short) Net.AF_UNIX);
        MemorySegment.copy(path, 0, sa, ValueLayout.JAVA_BYTE, OFFSET_PATH, path.length);
        if (isAbstract(path)) {
            sa.set(ValueLayout.JAVA_BYTE, OFFSET_PATH, (byte) 0);
            return (int) OFFSET_PATH + path.length;
        }
        return (int) OFFSET_PATH + path.length + 1;
    }

    /** Whether {@code path} names the abstract namespace: it starts with '@' and has a name after it. */
    public static boolean isAbstract(byte[] path) {
        return path.length > 1 && path[0] == '@';
    }

    /** {@link #isAbstract(byte[])} for a Java string. */
    public static boolean isAbstract(String path) {
        return path != null && path.length() > 1 && path.charAt(0) == '@';
    }

    /**
     * The path in an address the kernel returned with length {@code len}: empty for an unnamed socket; an
     * abstract address (leading NUL) is returned with its leading NUL as '@', as ss(8) prints it.
     */
    public static String path(MemorySegment sa, int len) {
        int n = Math.min(len, SIZE) - (int) OFFSET_PATH;
        if (n <= 0) {
            return "";
        }
        byte[] b = sa.asSlice(OFFSET_PATH, n).toArray(ValueLayout.JAVA_BYTE);
        if (b[0] == 0) {
            return "@" + new String(b, 1, n - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        int end = 0;
        while (end < n && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Bounded conversions between Java strings and NUL-terminated C strings. */
public final class CStrings {
    private CStrings() {}

    /**
     * Reads a NUL-terminated string from {@code p}, looking at no more than {@code max} bytes: a pointer returned by
     * C has a zero length, so it is reinterpreted to the bound first. A NULL pointer reads as {@code null}.
     */
    public static String read(MemorySegment p, int max) {
        if (p.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment s = p.byteSize() >= max ? p : p.reinterpret(max);
        int n = 0;
        while (n < max && s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(s.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Copies {@code s} as UTF-8 plus a NUL into {@code arena}; {@code null} becomes the NULL pointer. */
    public static MemorySegment of(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s, StandardCharsets.UTF_8);
    }
}

package io.ffsock.internal.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * How the binding classes of this package ({@link LibC}, {@link Epoll}) link their downcalls and report what a
 * downcall threw: the one place these rules are written.
 */
final class Downcalls {
    private Downcalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** errno is captured into the segment passed as a downcall's first argument. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** Critical, and heap segments ({@code byte[]}) may be passed: only for calls that cannot block. */
    static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);
    /** Critical, for calls that cannot block and take no heap memory. */
    static final Linker.Option CRITICAL = Linker.Option.critical(false);

    /** A handle for the libc function {@code name}; a missing symbol fails class initialisation clearly. */
    static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A handle for {@code name}, or {@code null} when this libc lacks it. */
    static MethodHandle handleOrNull(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LIBC.find(name).map(s -> LINKER.downcallHandle(s, fd, options)).orElse(null);
    }

    /**
     * What a downcall's {@code invokeExact} threw, as the caller should see it. The linker's own checks on the
     * arguments are Java failures the caller must get as they are (an {@link IllegalStateException} for memory whose
     * arena was closed, a {@link WrongThreadException} for another thread's confined memory); an {@code Error} passes
     * too. Anything else would be a mismatch between the handle and its Java signature: a bug here, so an
     * {@link AssertionError}.
     */
    static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("downcall failed", t);
    }
}

package io.ffsock.bench.jni;

import io.ffsock.bench.NativeDir;

/**
 * The JNI twin of ffsock's hot path: the same system calls, with the same non-blocking-plus-poll strategy, bound
 * through JNI instead of FFM. The C side is {@code native/jni/ffsock_jni.c}, which includes {@code hotpath.c}, the
 * very functions the FFM downcall benchmarks call. Every method returns a count (or revents) &gt;= 0 or -errno.
 */
public final class JniTwin {
    private JniTwin() {}

    static {
        System.load(NativeDir.jniLibrary().toAbsolutePath().toString());
    }

    /** Makes sure the library is loaded (class initialisation does it). */
    public static void load() {
        // the static initialiser has run
    }

    /** {@code send(fd, addr, len, MSG_NOSIGNAL)} from native memory. */
    public static native long send(int fd, long addr, long len);

    /** {@code recv(fd, addr, len, 0)} into native memory. */
    public static native long recv(int fd, long addr, long len);

    /** {@code poll} of one descriptor; revents, 0 on timeout, or -errno. */
    public static native int poll(int fd, int events, int timeoutMs);

    /** {@code send} from a pinned array (Get/ReleasePrimitiveArrayCritical). */
    public static native long sendArray(int fd, byte[] a, int off, int len);

    /** {@code recv} into a pinned array. */
    public static native long recvArray(int fd, byte[] a, int off, int len);
}

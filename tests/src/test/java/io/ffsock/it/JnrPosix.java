package io.ffsock.it;

import jnr.constants.platform.Fcntl;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A second, independent view of a descriptor: jnr-posix for {@code fcntl(2)} and {@code fstat(2)}, and jnr-ffi
 * (the binding jnr-posix is built on) for {@code getsockopt(2)}, which jnr-posix does not offer. Nothing here goes
 * through ffsock's own bindings, so a wrong constant or flag on ffsock's side cannot hide itself.
 */
public final class JnrPosix {
    private JnrPosix() {}

    /** The C declaration bound through jnr-ffi. Public: jnr-ffi generates its implementation elsewhere. */
    public interface SockOptLib {
        /** {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)} */
        int getsockopt(int sockfd, int level, int optname, @Out IntByReference optval, @In @Out IntByReference optlen);
    }

    private static final class Holder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
        static final SockOptLib LIBC = LibraryLoader.create(SockOptLib.class).load("c");
    }

    /** {@code FD_CLOEXEC} from fcntl.h; jnr-constants has no constant for it, and POSIX fixes it at 1. */
    static final int FD_CLOEXEC = 1;

    /** Loads both bindings and makes one call through each, so that later calls open nothing new. */
    static void load() {
        Holder.POSIX.fcntl(0, Fcntl.F_GETFD);
        Holder.LIBC.getsockopt(-1, 0, 0, new IntByReference(0), new IntByReference(4)); // EBADF, on purpose
    }

    static POSIX posix() {
        return Holder.POSIX;
    }

    /** {@code fcntl(fd, F_GETFL)}: the file status flags, or -1 (errno in {@link #errno()}). */
    static int fcntlFlags(int fd) {
        return Holder.POSIX.fcntl(fd, Fcntl.F_GETFL);
    }

    /** {@code fcntl(fd, F_GETFD)}: the descriptor flags, or -1. */
    static int fcntlFdFlags(int fd) {
        return Holder.POSIX.fcntl(fd, Fcntl.F_GETFD);
    }

    static int errno() {
        return Holder.POSIX.errno();
    }

    /** Whether {@code fd} is a socket according to {@code fstat(2)}. */
    static boolean isSocket(int fd) {
        FileStat st = Holder.POSIX.fstat(fd);
        return st.isSocket();
    }

    /**
     * {@code getsockopt(fd, level, name)} of an int option: the value.
     *
     * @throws AssertionError when the call fails, with the errno
     */
    static int sockOpt(int fd, int level, int name) {
        IntByReference val = new IntByReference(0);
        IntByReference len = new IntByReference(4);
        int rc = Holder.LIBC.getsockopt(fd, level, name, val, len);
        if (rc != 0) {
            throw new AssertionError("getsockopt(" + fd + ", " + level + ", " + name + ") failed, errno "
                    + jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError());
        }
        return val.getValue();
    }
}

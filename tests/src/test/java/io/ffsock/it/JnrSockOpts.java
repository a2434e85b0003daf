package io.ffsock.it;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * getsockopt(2) of options whose value is not one int (struct linger, an interface name, struct ucred, struct
 * tcp_info), through jnr-ffi: a binding independent of ffsock's, with the layouts decoded here from the C
 * headers' order, not from ffsock's struct classes.
 */
public final class JnrSockOpts {
    private JnrSockOpts() {}

    /** The C declaration bound through jnr-ffi. Public: jnr-ffi generates its implementation elsewhere. */
    public interface Lib {
        /** {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)} */
        int getsockopt(int sockfd, int level, int optname, @Out byte[] optval, @In @Out IntByReference optlen);
    }

    private static final class Holder {
        static final Lib LIBC = LibraryLoader.create(Lib.class).load("c");
    }

    /** The option's bytes, as many as the kernel wrote (at most {@code max}). */
    static ByteBuffer get(int fd, int level, int name, int max) {
        byte[] buf = new byte[max];
        IntByReference len = new IntByReference(max);
        int rc = Holder.LIBC.getsockopt(fd, level, name, buf, len);
        if (rc != 0) {
            throw new AssertionError("getsockopt(" + fd + ", " + level + ", " + name + ") failed, errno "
                    + jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError());
        }
        return ByteBuffer.wrap(buf, 0, len.getValue()).slice().order(ByteOrder.nativeOrder());
    }
}

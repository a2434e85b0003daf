package io.ffsock;

import io.ffsock.internal.sys.Errno;

/** Builds the exceptions {@link Socket} throws, with Qore's codes and messages that name the method. */
final class Errors {
    private Errors() {}

    static SocketException notOpen(String method) {
        return new SocketException(SocketError.NOT_OPEN, method,
                "socket must be opened before " + method + "() call");
    }

    static SocketException timeout(String method, long timeoutMs, String suffix) {
        return new SocketException(SocketError.TIMEOUT, method, "timed out after " + timeoutMs + " millisecond"
                + (timeoutMs == 1 ? "" : "s") + " in " + method + "() call" + (suffix == null ? "" : suffix));
    }

    /** The peer closed (EOF where a read needed more) or reset the connection. */
    static SocketException peerClosed(String method, int errno, byte[] partial) {
        return new SocketException(SocketError.CLOSED, method,
                "error in " + method + "(): remote end closed the connection"
                        + (errno != 0 ? " (" + Errno.strerror(errno) + ")" : "")
                        + (partial != null && partial.length > 0 ? "; the " + plural(partial.length, "byte")
                        + " received before that " + (partial.length == 1 ? "is" : "are") + " in partialData()" : ""),
                errno, errno != 0 ? Errno.strerror(errno) : null, partial);
    }

    /** Another thread closed this socket while the call was in it. */
    static SocketException closedLocally(String method, byte[] partial) {
        return new SocketException(SocketError.CLOSED, method,
                method + "() was stopped because the socket was closed", 0, null, partial);
    }

    static SocketException withErrno(SocketError error, String method, String text, int errno, byte[] partial) {
        String s = Errno.strerror(errno);
        return new SocketException(error, method, named(method, text) + ": " + s, errno, s, partial);
    }

    /**
     * {@code text} led by the method's name when it does not name it already: Qore's texts for system call failures
     * name the call ("error in connect() ..."), and a person also needs to know which method of theirs failed.
     */
    static String named(String method, String text) {
        return text.contains(method + "()") ? text : method + "(): " + text;
    }

    static SocketException sendError(String method, int errno) {
        return withErrno(SocketError.SEND_ERROR, method, "error while executing " + method + "()", errno, null);
    }

    static SocketException recvError(String method, int errno, byte[] partial) {
        return withErrno(SocketError.RECV_ERROR, method, "error in " + method + "()", errno, partial);
    }

    static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}

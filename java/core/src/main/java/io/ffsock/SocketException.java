package io.ffsock;

import java.io.IOException;

/**
 * A socket failure with its Qore error code ({@link #error()}), the operation that failed, the errno (0 where
 * none applies) and, for reads, the bytes the call had already received ({@link #partialData()}), so that a
 * caller never loses data to an exception.
 */
public class SocketException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final byte[] NONE = new byte[0];

    private final SocketError error;
    private final String operation;
    private final int errno;
    private final String strerror;
    private final transient byte[] partialData;

    /**
     * @param error     the code
     * @param operation the method that failed, e.g. {@code "Socket::recv"}
     * @param message   what happened, for a person
     * @param errno     the errno, or 0
     * @param strerror  the C library's text for errno, or {@code null}
     * @param partial   bytes a failed read had received, or {@code null}
     */
    public SocketException(SocketError error, String operation, String message, int errno, String strerror,
                           byte[] partial) {
        super(message);
        this.error = error;
        this.operation = operation;
        this.errno = errno;
        this.strerror = strerror;
        this.partialData = partial == null ? NONE : partial;
    }

    public SocketException(SocketError error, String operation, String message) {
        this(error, operation, message, 0, null, null);
    }

    /** The error code; {@code error().code()} is Qore's string. */
    public SocketError error() {
        return error;
    }

    /** The operation that failed, e.g. {@code "Socket::connect"}. */
    public String operation() {
        return operation;
    }

    /** The errno of the failing system call, or 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }

    /** The C library's text for {@link #errno()}, or {@code null}. */
    public String strerror() {
        return strerror;
    }

    /** Bytes the failed call had already received (never {@code null}; empty when there were none). */
    public byte[] partialData() {
        return partialData.clone();
    }

    /** Qore's {@code err}: the code string. */
    public String getErr() {
        return error.code();
    }

    /** Qore's {@code desc}: the message. */
    public String getDesc() {
        return getMessage();
    }

    /** Qore's {@code arg}: the errno when there is one, else {@code null}. */
    public Object getArg() {
        return errno != 0 ? Integer.valueOf(errno) : null;
    }

    @Override
    public String toString() {
        return error.code() + ": " + getMessage();
    }
}

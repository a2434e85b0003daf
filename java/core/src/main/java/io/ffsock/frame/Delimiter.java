package io.ffsock.frame;

/**
 * The end-of-frame mark of a delimited (line) frame. The payload is everything before the mark; the mark itself is
 * never part of a frame handed to the caller.
 * <pre>
 *  LF                                   CRLF
 *  +-----------------------+------+     +-----------------------+------+------+
 *  | payload (no 0x0A)     | 0x0A |     | payload (no CR LF)    | 0x0D | 0x0A |
 *  +-----------------------+------+     +-----------------------+------+------+
 *  e.g. "PING\n"                        e.g. "PING\r\n"
 * </pre>
 * With {@link #CRLF} a lone LF or a lone CR inside the payload is data; only the pair ends a frame.
 */
public enum Delimiter {
    /** A single line feed, 0x0A. */
    LF(new byte[] {'\n'}),
    /** Carriage return and line feed, 0x0D 0x0A, as in HTTP, SMTP and Redis's protocol. */
    CRLF(new byte[] {'\r', '\n'});

    private final byte[] bytes;

    Delimiter(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The length of the mark: 1 or 2. */
    public int size() {
        return bytes.length;
    }

    /** A copy of the mark's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }
}

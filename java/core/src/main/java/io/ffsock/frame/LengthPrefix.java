package io.ffsock.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The length field in front of a length-prefixed frame: 1, 2 or 4 bytes, big-endian (network order) or
 * little-endian, with the same encodings as {@code Socket.sendi1/2/4[LSB]} and {@code recvu1/2/4[LSB]}
 * ({@code recvi4[LSB]} for the signed 4-byte forms). The field counts the payload only, not itself.
 * <pre>
 *  U1                U2 (big-endian)              U4 (big-endian)
 *  +-----+-------    +------+------+-------       +------+------+------+------+-------
 *  | len | payload   | len  | len  | payload      | len  | len  | len  | len  | payload
 *  |  8  |  len B    | 15-8 | 7-0  |  len B       | 31-24| 23-16| 15-8 | 7-0  |  len B
 *  +-----+-------    +------+------+-------       +------+------+------+------+-------
 *
 *  U2_LSB / U4_LSB / I4_LSB: the same bytes, least significant first:
 *  +------+------+-------
 *  | 7-0  | 15-8 | payload
 *  +------+------+-------
 * </pre>
 * {@link #I4} and {@link #I4_LSB} read the field as a signed 32-bit integer, as a peer that writes it with
 * {@code DataOutputStream.writeInt} or Qore's {@code sendi4} does; a negative length from such a peer is refused
 * with a {@code SocketException}. The unsigned 4-byte forms can announce up to 4 GiB - 1, which is refused the same
 * way once it exceeds the reader's maximum frame size: nothing is ever allocated for a length the peer announced.
 */
public enum LengthPrefix {
    /** One unsigned byte: payloads of 0 to 255 bytes ({@code sendi1} / {@code recvu1}). */
    U1(1, false, ByteOrder.BIG_ENDIAN),
    /** Two bytes, unsigned, big-endian: 0 to 65,535 ({@code sendi2} / {@code recvu2}). */
    U2(2, false, ByteOrder.BIG_ENDIAN),
    /** Two bytes, unsigned, little-endian ({@code sendi2LSB} / {@code recvu2LSB}). */
    U2_LSB(2, false, ByteOrder.LITTLE_ENDIAN),
    /** Four bytes, unsigned, big-endian ({@code sendi4} / {@code recvu4}). */
    U4(4, false, ByteOrder.BIG_ENDIAN),
    /** Four bytes, unsigned, little-endian ({@code sendi4LSB} / {@code recvu4LSB}). */
    U4_LSB(4, false, ByteOrder.LITTLE_ENDIAN),
    /** Four bytes, signed, big-endian ({@code sendi4} / {@code recvi4}); negative lengths are refused. */
    I4(4, true, ByteOrder.BIG_ENDIAN),
    /** Four bytes, signed, little-endian ({@code sendi4LSB} / {@code recvi4LSB}); negative lengths are refused. */
    I4_LSB(4, true, ByteOrder.LITTLE_ENDIAN);

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int size;
    private final boolean signed;
    private final boolean bigEndian;

    LengthPrefix(int size, boolean signed, ByteOrder order) {
        this.size = size;
        this.signed = signed;
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
    }

    /** The size of the length field in bytes: 1, 2 or 4. */
    public int size() {
        return size;
    }

    /** The byte order of the field (meaningless for {@link #U1}). */
    public ByteOrder order() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Whether the field is read as a signed integer, so that a peer can send a negative length. */
    public boolean signed() {
        return signed;
    }

    /** The largest payload the field can describe. */
    public long maxLength() {
        return switch (size) {
            case 1 -> 0xFFL;
            case 2 -> 0xFFFFL;
            default -> signed ? Integer.MAX_VALUE : 0xFFFF_FFFFL;
        };
    }

    /** Reads the field at {@code off}: the announced length, which is negative only for the signed forms. */
    long read(MemorySegment seg, long off) {
        return switch (size) {
            case 1 -> Byte.toUnsignedLong(seg.get(ValueLayout.JAVA_BYTE, off));
            case 2 -> Short.toUnsignedLong(seg.get(bigEndian ? SHORT_BE : SHORT_LE, off));
            default -> {
                int v = seg.get(bigEndian ? INT_BE : INT_LE, off);
                yield signed ? v : Integer.toUnsignedLong(v);
            }
        };
    }

    /** Writes {@code len} (0 &lt;= len &lt;= {@link #maxLength()}) as the field at {@code off}. */
    void write(MemorySegment seg, long off, long len) {
        switch (size) {
            case 1 -> seg.set(ValueLayout.JAVA_BYTE, off, (byte) len);
            case 2 -> seg.set(bigEndian ? SHORT_BE : SHORT_LE, off, (short) len);
            default -> seg.set(bigEndian ? INT_BE : INT_LE, off, (int) len);
        }
    }
}

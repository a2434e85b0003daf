package io.ffsock.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * A flyweight view of one decoded frame's payload: a buffer, an offset and a length, re-pointed at the next frame
 * by every decode, in the manner of Agrona's buffers. Nothing is copied and nothing is allocated to produce it.
 * <p>
 * A frame is valid only until the next call to {@link FrameReader#next()} (or the next {@link FrameFormat#decode}
 * into it): after that the bytes it points at may be moved or overwritten. Copy them out with {@link #toArray()},
 * {@link #copyTo(byte[], int)} or {@link #toString(Charset)} to keep them.
 */
public final class Frame {
    private MemorySegment buffer = MemorySegment.NULL;
    private long offset;
    private int length;

    /** An empty frame, to be filled by {@link FrameFormat#decode}. */
    public Frame() {}

    void set(MemorySegment buffer, long offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** The segment the payload lies in (the reader's whole buffer, not a slice). */
    public MemorySegment buffer() {
        return buffer;
    }

    /** Where the payload starts in {@link #buffer()}. */
    public long offset() {
        return offset;
    }

    /** The payload's length in bytes. */
    public int length() {
        return length;
    }

    /** The payload byte at {@code index} (0 &lt;= index &lt; {@link #length()}). */
    public byte get(int index) {
        Objects.checkIndex(index, length);
        return buffer.get(ValueLayout.JAVA_BYTE, offset + index);
    }

    /** Copies the whole payload into {@code dst} at {@code dstOffset}. */
    public void copyTo(byte[] dst, int dstOffset) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, dst, dstOffset, length);
    }

    /** Copies the whole payload into {@code dst} at {@code dstOffset}. */
    public void copyTo(MemorySegment dst, long dstOffset) {
        MemorySegment.copy(buffer, offset, dst, dstOffset, length);
    }

    /** A new array holding the payload (the {@code byte[]} convenience; allocates). */
    public byte[] toArray() {
        byte[] b = new byte[length];
        copyTo(b, 0);
        return b;
    }

    /** The payload decoded in {@code charset} (allocates). */
    public String toString(Charset charset) {
        return new String(toArray(), charset);
    }

    /** A slice of the buffer covering the payload (allocates the slice object; prefer offset and length). */
    public MemorySegment asSegment() {
        return buffer.asSlice(offset, length);
    }

    /** Whether the payload equals {@code bytes}. */
    public boolean contentEquals(byte[] bytes) {
        if (bytes.length != length) {
            return false;
        }
        return MemorySegment.mismatch(buffer, offset, offset + length,
                MemorySegment.ofArray(bytes), 0, bytes.length) < 0;
    }

    @Override
    public String toString() {
        return "Frame[" + length + " bytes]";
    }
}

package io.ffsock;

import io.ffsock.internal.sys.Iovec;
import io.ffsock.internal.sys.Mmsghdr;
import io.ffsock.internal.sys.Msghdr;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;
import io.ffsock.internal.sys.SockaddrStorage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Many datagrams in memory the caller owns, for {@link DatagramSocket#sendBatch} (sendmmsg(2)) and
 * {@link DatagramSocket#receiveBatch} (recvmmsg(2)): one system call moves up to {@link #capacity()} datagrams,
 * and neither call allocates on the Java heap.
 * <p>
 * All native memory — the {@code mmsghdr} vector, one {@code iovec} and one {@code sockaddr_storage} per slot, and
 * the slots' bytes — comes from the arena given to {@link #allocate}; the batch lives as long as that arena, and
 * using it after the arena is closed fails with {@link IllegalStateException}, never touches freed memory.
 * <pre>
 *  data():  | slot 0 (slotSize bytes) | slot 1 | ... | slot capacity-1 |
 *             offset(i) = i * slotSize; length(i) bytes of it are the datagram
 * </pre>
 * A batch is used by one thread at a time.
 */
public final class DatagramBatch {
    private final int capacity;
    private final int slotSize;
    private final MemorySegment vec;
    private final MemorySegment iov;
    private final MemorySegment names;
    private final MemorySegment data;
    /** vec sliced at each element, made once so that a batch call from any start index allocates nothing. */
    private final MemorySegment[] vecAt;
    private final int[] lengths;
    private final int[] nameLens;
    private final boolean[] truncated;
    private int count;

    private DatagramBatch(Arena arena, int capacity, int slotSize) {
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.vec = arena.allocate(Mmsghdr.LAYOUT, capacity);
        this.iov = arena.allocate(Iovec.LAYOUT, capacity);
        this.names = arena.allocate(SockaddrStorage.LAYOUT, capacity);
        this.data = arena.allocate((long) capacity * slotSize, 16);
        this.vecAt = new MemorySegment[capacity];
        this.lengths = new int[capacity];
        this.nameLens = new int[capacity];
        this.truncated = new boolean[capacity];
        for (int i = 0; i < capacity; i++) {
            MemorySegment slot = data.asSlice((long) i * slotSize, slotSize);
            Iovec.set(iov, i, slot, slotSize);
            Msghdr.set(vec, (long) i * Mmsghdr.SIZE + Mmsghdr.OFFSET_HDR,
                    names.asSlice((long) i * SockaddrStorage.SIZE, SockaddrStorage.SIZE), 0,
                    iov.asSlice((long) i * Iovec.SIZE, Iovec.SIZE), 1, MemorySegment.NULL, 0);
            vecAt[i] = vec.asSlice((long) i * Mmsghdr.SIZE);
        }
    }

    /**
     * A batch of {@code capacity} slots of {@code slotSize} bytes each, in {@code arena}.
     *
     * @param capacity 1 to 1024 (the kernel's UIO_MAXIOV caps one call)
     * @param slotSize 1 to 65536 bytes: the largest datagram a slot holds (a UDP datagram carries at most 65507)
     */
    public static DatagramBatch allocate(Arena arena, int capacity, int slotSize) {
        if (arena == null) {
            throw new IllegalArgumentException("no arena given: the batch's memory lives in the caller's arena");
        }
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity " + capacity + " is out of range: 1 to 1024 datagrams");
        }
        if (slotSize < 1 || slotSize > 65536) {
            throw new IllegalArgumentException("slotSize " + slotSize + " is out of range: 1 to 65536 bytes");
        }
        return new DatagramBatch(arena, capacity, slotSize);
    }

    /** How many slots the batch has. */
    public int capacity() {
        return capacity;
    }

    /** The bytes each slot holds. */
    public int slotSize() {
        return slotSize;
    }

    /** All slots' bytes, {@code capacity * slotSize} long; slot {@code i} starts at {@link #offset(int)}. */
    public MemorySegment data() {
        return data;
    }

    /** Where slot {@code i} starts in {@link #data()}. */
    public long offset(int i) {
        check(i);
        return (long) i * slotSize;
    }

    /**
     * The length of the datagram in slot {@code i}: what {@link #setLength} set, or what the last receive got. A
     * received datagram larger than the slot reports its real length here (so larger than {@link #slotSize()}),
     * and {@link #truncated(int)} is true.
     */
    public int length(int i) {
        check(i);
        return lengths[i];
    }

    /** Sets the length of the datagram to send from slot {@code i}: 0 to {@link #slotSize()}. */
    public void setLength(int i, int n) {
        check(i);
        if (n < 0 || n > slotSize) {
            throw new IllegalArgumentException("length " + n + " of slot " + i + " is out of range: 0 to "
                    + slotSize);
        }
        lengths[i] = n;
        truncated[i] = false;
    }

    /** Whether the datagram received into slot {@code i} was larger than the slot (its tail was not kept). */
    public boolean truncated(int i) {
        check(i);
        return truncated[i];
    }

    /** How many datagrams the last {@link DatagramSocket#receiveBatch} put into slots {@code 0..count-1}. */
    public int count() {
        return count;
    }

    /**
     * Sets where slot {@code i} is sent: {@code "host:port"}, {@code "[ipv6]:port"}, or a UNIX socket path.
     * Resolves once, here, so that sending allocates nothing. A slot that received a datagram already holds its
     * sender as destination: sending the batch back answers every sender.
     */
    public void setDestination(int i, String target) throws SocketException {
        check(i);
        SockAddr a = Addresses.resolve("DatagramBatch::setDestination", target, false, Net.AF_UNSPEC,
                Net.SOCK_DGRAM, SocketError.SEND_ERROR, false);
        nameLens[i] = a.encode(names.asSlice((long) i * SockaddrStorage.SIZE, SockaddrStorage.SIZE));
    }

    /** Sets every slot's destination to {@code target} (one resolution). */
    public void setDestinations(String target) throws SocketException {
        setDestination(0, target);
        MemorySegment first = names.asSlice(0, SockaddrStorage.SIZE);
        for (int i = 1; i < capacity; i++) {
            MemorySegment.copy(first, 0, names, (long) i * SockaddrStorage.SIZE, SockaddrStorage.SIZE);
            nameLens[i] = nameLens[0];
        }
    }

    /** Removes slot {@code i}'s destination: it is sent on a connected socket's association. */
    public void clearDestination(int i) {
        check(i);
        nameLens[i] = 0;
    }

    /** The sender of the datagram in slot {@code i} after a receive, or the slot's destination (allocates). */
    public SocketInfo address(int i) {
        check(i);
        if (nameLens[i] < 2) {
            return Addresses.info(SockAddr.unix(""));
        }
        return Addresses.info(SockAddr.decode(names.asSlice((long) i * SockaddrStorage.SIZE, SockaddrStorage.SIZE),
                nameLens[i]));
    }

    /** The port of slot {@code i}'s sender or destination, -1 if it has none (allocation-free). */
    public int port(int i) {
        check(i);
        if (nameLens[i] < 4) {
            return -1;
        }
        long at = (long) i * SockaddrStorage.SIZE;
        int family = Short.toUnsignedInt(names.get(ValueLayout.JAVA_SHORT, at));
        if (family != Net.AF_INET && family != Net.AF_INET6) {
            return -1;
        }
        return Short.toUnsignedInt(names.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                at + 2));
    }

    private void check(int i) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("slot " + i + " of a batch of " + capacity);
        }
    }

    // --- used by DatagramSocket ----------------------------------------------------------------------------------

    MemorySegment vecAt(int i) {
        return vecAt[i];
    }

    /**
     * Prepares slots [from, from+n) for sendmmsg: each iovec covers the datagram, each name its destination.
     * Returns -1, or the first slot holding a truncated datagram, whose length exceeds its slot: the iovec would
     * reach past the slot, so nothing is prepared past it.
     */
    int prepareSend(int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (truncated[i] || lengths[i] > slotSize) {
                return i;
            }
            iov.set(ValueLayout.JAVA_LONG, (long) i * Iovec.SIZE + Iovec.OFFSET_LEN, lengths[i]);
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.OFFSET_HDR;
            Msghdr.nameLen(vec, h, nameLens[i]);
            Msghdr.flags(vec, h, 0);
        }
        return -1;
    }

    /** Prepares every slot for recvmmsg: the whole slot to fill, a whole sockaddr_storage for the sender. */
    void prepareReceive() {
        for (int i = 0; i < capacity; i++) {
            iov.set(ValueLayout.JAVA_LONG, (long) i * Iovec.SIZE + Iovec.OFFSET_LEN, slotSize);
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.OFFSET_HDR;
            Msghdr.nameLen(vec, h, SockaddrStorage.SIZE);
            Msghdr.flags(vec, h, 0);
        }
        count = 0;
    }

    /**
     * Records what recvmmsg put into slots [0, n): lengths (real ones, from MSG_TRUNC), senders, truncation.
     * Returns the first truncated slot, or -1.
     */
    int received(int n) {
        int firstCut = -1;
        for (int i = 0; i < n; i++) {
            long h = (long) i * Mmsghdr.SIZE + Mmsghdr.OFFSET_HDR;
            long len = Mmsghdr.len(vec, i);
            boolean cut = (Msghdr.flags(vec, h) & Net.MSG_TRUNC) != 0 || len > slotSize;
            lengths[i] = (int) Math.min(len, Integer.MAX_VALUE);
            nameLens[i] = Math.min(Math.max(Msghdr.nameLen(vec, h), 0), SockaddrStorage.SIZE);
            truncated[i] = cut;
            if (cut && firstCut < 0) {
                firstCut = i;
            }
        }
        for (int i = n; i < capacity; i++) {
            lengths[i] = 0;
            truncated[i] = false;
        }
        count = n;
        return firstCut;
    }

    /** Bytes the kernel reported sent for slot {@code i} by the last sendmmsg. */
    long sentLength(int i) {
        return Mmsghdr.len(vec, i);
    }
}

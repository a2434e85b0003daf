package io.ffsock.internal.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The bindings the Socket API does not reach yet, exercised on a real socketpair. */
class LibCTest {

    /** A socketpair(2) of non-blocking, close-on-exec stream sockets, closed at the end. */
    private static int[] pair(Arena a, MemorySegment err) {
        MemorySegment sv = a.allocate(ValueLayout.JAVA_INT, 2);
        int rc = LibC.socketpair(err, Net.AF_UNIX, Net.SOCK_STREAM | Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, 0, sv);
        assertEquals(0, rc, () -> "socketpair: " + Errno.strerror(LibC.errno(err)));
        return new int[] {sv.get(ValueLayout.JAVA_INT, 0), sv.get(ValueLayout.JAVA_INT, 4)};
    }

    @Test
    void writevGathersAndReadvScatters() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int[] fds = pair(a, err);
            try {
                MemorySegment iov = a.allocate(Iovec.LAYOUT, 3);
                String[] parts = {"len:", "0005", "hello"};
                long total = 0;
                for (int i = 0; i < parts.length; i++) {
                    MemorySegment s = a.allocateFrom(parts[i], StandardCharsets.US_ASCII);
                    Iovec.set(iov, i, s, parts[i].length());
                    total += parts[i].length();
                }
                assertEquals(total, LibC.writev(err, fds[0], iov, 3));

                // FIONREAD on the receiver tells how much is queued
                MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
                assertEquals(0, LibC.ioctl(err, fds[1], Net.FIONREAD, n));
                assertEquals(total, n.get(ValueLayout.JAVA_INT, 0));

                MemorySegment b1 = a.allocate(8);
                MemorySegment b2 = a.allocate(5);
                MemorySegment riov = a.allocate(Iovec.LAYOUT, 2);
                Iovec.set(riov, 0, b1, 8);
                Iovec.set(riov, 1, b2, 5);
                assertEquals(13, LibC.readv(err, fds[1], riov, 2));
                assertEquals("len:0005", new String(b1.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
                assertEquals("hello", new String(b2.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));

                // nothing left: a non-blocking read reports EAGAIN through the captured errno
                assertEquals(-1, LibC.recv(err, fds[1], b1, 8, 0));
                assertEquals(Errno.EAGAIN, LibC.errno(err));
            } finally {
                LibC.close(err, fds[0]);
                LibC.close(err, fds[1]);
            }
        }
    }

    @Test
    void dup2MakesASecondNumberForTheSameSocket() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int[] fds = pair(a, err);
            int[] spare = pair(a, err);
            try {
                // dup2 replaces spare[0] with a copy of fds[0]: writing to it reaches fds[1]
                assertEquals(spare[0], LibC.dup2(err, fds[0], spare[0]));
                MemorySegment msg = a.allocateFrom("x", StandardCharsets.US_ASCII);
                assertEquals(1, LibC.send(err, spare[0], msg, 1, Net.MSG_NOSIGNAL));
                MemorySegment in = a.allocate(1);
                assertEquals(1, LibC.recv(err, fds[1], in, 1, 0));
                assertEquals('x', in.get(ValueLayout.JAVA_BYTE, 0));
                // close-on-exec is not inherited by dup2 copies, and is set on the originals
                assertEquals(Net.FD_CLOEXEC, LibC.fcntl(err, fds[0], Net.F_GETFD, 0) & Net.FD_CLOEXEC);
                assertEquals(0, LibC.fcntl(err, spare[0], Net.F_GETFD, 0) & Net.FD_CLOEXEC);
            } finally {
                for (int fd : new int[] {fds[0], fds[1], spare[0], spare[1]}) {
                    LibC.close(err, fd);
                }
            }
        }
    }

    @Test
    void siocoutqCountsUnsentBytes() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = LibC.newErrnoSegment(a);
            int[] fds = pair(a, err);
            try {
                MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
                assertEquals(0, LibC.ioctl(err, fds[0], Net.SIOCOUTQ, n));
                assertEquals(0, n.get(ValueLayout.JAVA_INT, 0));
                MemorySegment msg = a.allocate(100);
                assertEquals(100, LibC.send(err, fds[0], msg, 100, Net.MSG_NOSIGNAL));
                assertEquals(0, LibC.ioctl(err, fds[0], Net.SIOCOUTQ, n));
                assertTrue(n.get(ValueLayout.JAVA_INT, 0) > 0, "unread bytes count as queued on AF_UNIX");
            } finally {
                LibC.close(err, fds[0]);
                LibC.close(err, fds[1]);
            }
        }
    }

    @Test
    void addressTextRoundTrips() {
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Sys.pton("127.0.0.1"));
        byte[] v6 = Sys.pton("::1");
        assertEquals(16, v6.length);
        assertEquals(1, v6[15]);
        assertEquals("::1", Sys.ntop(v6));
        assertEquals("fe80::21c:42ff:fe00:8", Sys.ntop(Sys.pton("fe80:0:0:0:021c:42ff:fe00:0008")));
        assertNull(Sys.pton("not an address"));
        assertNull(Sys.pton("256.1.1.1"));
    }

    @Test
    void strerrorAndGaiStrerrorGiveTheCLibraryText() {
        assertEquals("Connection refused", Errno.strerror(Errno.ECONNREFUSED));
        assertEquals("Resource temporarily unavailable", Errno.strerror(Errno.EAGAIN));
        assertTrue(Errno.strerror(100_000).contains("100000"));
        assertFalse(LibC.gai_strerror(-2).isBlank());
    }

    @Test
    void resolveNumericHostsWithoutTheNetwork() throws Exception {
        var v4 = Sys.resolve("127.0.0.1", "80", Net.AF_UNSPEC, Net.SOCK_STREAM, Net.AI_NUMERICHOST);
        assertEquals(1, v4.size());
        assertEquals(Net.AF_INET, v4.get(0).family());
        assertEquals(80, v4.get(0).addr().port());
        assertEquals("127.0.0.1", v4.get(0).addr().address());
        var err = assertThrows(Sys.ResolveException.class,
                () -> Sys.resolve("not-numeric", "80", Net.AF_UNSPEC, Net.SOCK_STREAM, Net.AI_NUMERICHOST));
        assertFalse(err.getMessage().isBlank());
    }
}

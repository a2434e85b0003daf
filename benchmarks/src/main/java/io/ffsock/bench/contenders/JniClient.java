package io.ffsock.bench.contenders;

import io.ffsock.Socket;
import io.ffsock.bench.Transport;
import io.ffsock.bench.jni.JniTwin;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The JNI twin: ffsock's hot path with JNI in place of FFM. The descriptors are opened by ffsock (so they are
 * non-blocking, as ffsock's are) and then driven through {@link JniTwin} with the strategy of ffsock's
 * {@code Receiver.read}: poll first when the socket has sent since the last read or the last read waited and
 * drained it, else recv first and poll on EAGAIN. Only the binding differs.
 */
final class JniClient extends Client {
    private static final int EAGAIN = 11;
    private static final int POLLIN = 1;
    private static final int POLLOUT = 4;

    private final Socket echoSocket = new Socket();
    private final Socket sinkSocket = new Socket();
    private final int echo;
    private final int sink;
    private final Arena arena = Arena.ofShared();
    private final long out;
    private final long in;
    private final long frame;
    private final MemorySegment header;
    private final long ack;
    /** Per descriptor: whether the next read should wait in poll before its recv (index 0 echo, 1 sink). */
    private final boolean[] pollFirst = new boolean[2];

    JniClient(String dest, Transport t, int size) throws IOException {
        super(size);
        JniTwin.load();
        echoSocket.connect(dest, 5_000);
        sinkSocket.connect(dest, 5_000);
        if (t == Transport.TCP) {
            echoSocket.setNoDelay(true);
            sinkSocket.setNoDelay(true);
        }
        echoSocket.sendi1('E');
        sinkSocket.sendi1('S');
        echo = echoSocket.getSocket();
        sink = sinkSocket.getSocket();
        out = arena.allocate(size, 64).fill((byte) 'x').address();
        in = arena.allocate(size, 64).address();
        frame = arena.allocate(size + 4, 64).copyFrom(MemorySegment.ofArray(frameBytes(size))).address();
        header = arena.allocate(8, 8);
        ack = arena.allocate(1).address();
    }

    private void sendAll(int fd, int side, long addr, long len) throws IOException {
        long off = 0;
        while (off < len) {
            long n = JniTwin.send(fd, addr + off, len - off);
            if (n >= 0) {
                off += n;
            } else if (n == -EAGAIN) {
                if (JniTwin.poll(fd, POLLOUT, -1) < 0) {
                    throw new IOException("poll failed");
                }
            } else {
                throw new IOException("send failed: errno " + -n);
            }
        }
        pollFirst[side] = true; // a reply to what was just sent cannot be there yet
    }

    private long recv(int fd, int side, long addr, long len) throws IOException {
        boolean waited = pollFirst[side];
        if (waited && JniTwin.poll(fd, POLLIN, -1) < 0) {
            throw new IOException("poll failed");
        }
        for (;;) {
            long n = JniTwin.recv(fd, addr, len);
            if (n > 0) {
                pollFirst[side] = waited && n < len;
                return n;
            }
            if (n == 0) {
                throw new EOFException("peer closed");
            }
            if (n != -EAGAIN) {
                throw new IOException("recv failed: errno " + -n);
            }
            waited = true;
            if (JniTwin.poll(fd, POLLIN, -1) < 0) {
                throw new IOException("poll failed");
            }
        }
    }

    @Override
    public void roundTrip() throws IOException {
        sendAll(echo, 0, out, size);
        long got = 0;
        while (got < size) {
            got += recv(echo, 0, in + got, size - got);
        }
    }

    @Override
    public void stream(int count) throws IOException {
        header.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0,
                streamBytes(count));
        sendAll(sink, 1, header.address(), 8);
        for (int i = 0; i < count; i++) {
            sendAll(sink, 1, frame, size + 4);
        }
        recv(sink, 1, ack, 1);
    }

    @Override
    public long timedEagain(int count) throws IOException {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (JniTwin.recv(echo, in, size) != -EAGAIN) {
                throw new IOException("expected EAGAIN on the idle echo connection");
            }
        }
        return System.nanoTime() - t0;
    }

    @Override
    public void close() {
        echoSocket.close();
        sinkSocket.close();
        arena.close();
    }
}

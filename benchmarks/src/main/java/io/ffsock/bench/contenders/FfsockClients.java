package io.ffsock.bench.contenders;

import io.ffsock.Socket;
import io.ffsock.bench.Transport;
import io.ffsock.frame.Frame;
import io.ffsock.frame.FrameFormat;
import io.ffsock.frame.FrameReader;
import io.ffsock.frame.FrameWriter;
import io.ffsock.frame.LengthPrefix;
import io.ffsock.internal.sys.LibC;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** The ffsock contenders, each the way a user would write it with that part of the API. */
final class FfsockClients {
    private FfsockClients() {}

    /** Two ffsock sockets to the peer, the first byte of each naming its service. */
    abstract static class Base extends Client {
        final Socket echo = new Socket();
        final Socket sink = new Socket();
        final Arena arena = Arena.ofShared();
        final MemorySegment ack = arena.allocate(1);

        Base(String dest, Transport t, int size) throws IOException {
            super(size);
            echo.connect(dest, 5_000);
            sink.connect(dest, 5_000);
            if (t == Transport.TCP) {
                echo.setNoDelay(true);
                sink.setNoDelay(true);
            }
            echo.sendi1('E');
            sink.sendi1('S');
        }

        /** Reads the sink's acknowledgement. */
        void awaitAck() throws IOException {
            if (sink.read(ack) != 1) {
                throw new EOFException("sink closed");
            }
        }

        @Override
        public void close() {
            echo.close();
            sink.close();
            arena.close();
        }
    }

    /** {@code Socket.write/read(MemorySegment)} on native segments; streams one write per frame. */
    static final class Segment extends Base {
        private static final int EAGAIN = 11;
        private final MemorySegment errno = LibC.newErrnoSegment(arena);
        private final MemorySegment out;
        private final MemorySegment in;
        private final MemorySegment frame;

        Segment(String dest, Transport t, int size) throws IOException {
            super(dest, t, size);
            out = arena.allocate(size, 64).fill((byte) 'x');
            in = arena.allocate(size, 64);
            frame = arena.allocate(size + 4, 64).copyFrom(MemorySegment.ofArray(frameBytes(size)));
        }

        @Override
        public void roundTrip() throws IOException {
            echo.write(out);
            long got = echo.read(in);
            while (got < size) {
                if (got < 0) {
                    throw new EOFException("echo closed");
                }
                long n = echo.read(in.asSlice(got));
                got = n < 0 ? -1 : got + n;
            }
        }

        @Override
        public void stream(int count) throws IOException {
            sink.sendi8(streamBytes(count));
            for (int i = 0; i < count; i++) {
                sink.write(frame);
            }
            awaitAck();
        }

        /** The very downcall ffsock's read path makes: LibC.recv, captureCallState(errno) and critical. */
        @Override
        public long timedEagain(int count) throws IOException {
            int fd = echo.getSocket();
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (LibC.recv(errno, fd, in, size, 0) >= 0 || LibC.errno(errno) != EAGAIN) {
                    throw new IOException("expected EAGAIN on the idle echo connection");
                }
            }
            return System.nanoTime() - t0;
        }
    }

    /** FrameWriter (coalesced) and FrameReader with 4-byte big-endian lengths. */
    static final class Framed extends Base {
        private final MemorySegment payload;
        private final FrameWriter echoOut;
        private final FrameReader echoIn;
        private final FrameWriter sinkOut;

        Framed(String dest, Transport t, int size) throws IOException {
            super(dest, t, size);
            FrameFormat f = FrameFormat.lengthPrefixed(LengthPrefix.U4, Math.max(size, 1 << 20));
            payload = arena.allocate(size, 64).fill((byte) 'x');
            echoOut = new FrameWriter(echo, f);
            echoIn = new FrameReader(echo, f);
            sinkOut = new FrameWriter(sink, f);
        }

        @Override
        public void roundTrip() throws IOException {
            echoOut.write(payload);
            echoOut.flush();
            Frame f = echoIn.next();
            if (f == null || f.length() != size) {
                throw new EOFException("echo closed");
            }
        }

        @Override
        public void stream(int count) throws IOException {
            sink.sendi8(streamBytes(count));
            for (int i = 0; i < count; i++) {
                sinkOut.write(payload);
            }
            sinkOut.flush();
            awaitAck();
        }

        @Override
        public void close() {
            echoIn.close();
            try {
                echoOut.close();
                sinkOut.close();
            } catch (IOException e) {
                // the peer is gone: nothing left to flush to
            }
            super.close();
        }
    }

    /** {@code Socket.write/read(ByteBuffer)} on direct buffers. */
    static final class Buffer extends Base {
        private final ByteBuffer out;
        private final ByteBuffer in;
        private final ByteBuffer frame;

        Buffer(String dest, Transport t, int size) throws IOException {
            super(dest, t, size);
            out = ByteBuffer.allocateDirect(size);
            in = ByteBuffer.allocateDirect(size);
            frame = ByteBuffer.allocateDirect(size + 4).put(frameBytes(size));
        }

        @Override
        public void roundTrip() throws IOException {
            out.clear();
            echo.write(out);
            in.clear();
            while (in.hasRemaining()) {
                if (echo.read(in) < 0) {
                    throw new EOFException("echo closed");
                }
            }
        }

        @Override
        public void stream(int count) throws IOException {
            sink.sendi8(streamBytes(count));
            for (int i = 0; i < count; i++) {
                frame.clear();
                sink.write(frame);
            }
            awaitAck();
        }
    }

    /** {@code getOutputStream().write(byte[])} and {@code getInputStream().read(byte[], ...)}. */
    static final class Bytes extends Base {
        private final byte[] out;
        private final byte[] in;
        private final byte[] frame;
        private final OutputStream echoOut;
        private final InputStream echoIn;
        private final OutputStream sinkOut;
        private final InputStream sinkIn;

        Bytes(String dest, Transport t, int size) throws IOException {
            super(dest, t, size);
            out = new byte[size];
            in = new byte[size];
            frame = frameBytes(size);
            echoOut = echo.getOutputStream();
            echoIn = echo.getInputStream();
            sinkOut = sink.getOutputStream();
            sinkIn = sink.getInputStream();
        }

        @Override
        public void roundTrip() throws IOException {
            echoOut.write(out);
            int got = 0;
            while (got < size) {
                int n = echoIn.read(in, got, size - got);
                if (n < 0) {
                    throw new EOFException("echo closed");
                }
                got += n;
            }
        }

        @Override
        public void stream(int count) throws IOException {
            sink.sendi8(streamBytes(count));
            for (int i = 0; i < count; i++) {
                sinkOut.write(frame);
            }
            if (sinkIn.read() < 0) {
                throw new EOFException("sink closed");
            }
        }
    }
}

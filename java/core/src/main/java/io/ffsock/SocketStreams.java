package io.ffsock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.Objects;

/** The java.io and java.nio views of a {@link Socket}; each is a thin adapter over the socket's hot path. */
final class SocketStreams {
    private SocketStreams() {}

    static final class In extends InputStream {
        private final Socket s;
        private final byte[] one = new byte[1];
        /** The segment over the last array read into: a loop over one array makes it once, not per call. */
        private byte[] lastArray;
        private MemorySegment lastSegment;

        In(Socket s) {
            this.s = s;
        }

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (b != lastArray) {
                lastArray = b;
                lastSegment = MemorySegment.ofArray(b);
            }
            return (int) s.read(lastSegment, off, len, -1);
        }

        @Override
        public void close() {
            s.close();
        }
    }

    static final class Out extends OutputStream {
        private final Socket s;
        private final byte[] one = new byte[1];
        /** The segment over the last array written from, as in {@link In}. */
        private byte[] lastArray;
        private MemorySegment lastSegment;

        Out(Socket s) {
            this.s = s;
        }

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            write(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (b != lastArray) {
                lastArray = b;
                lastSegment = MemorySegment.ofArray(b);
            }
            s.write(lastSegment, off, len);
        }

        @Override
        public void close() {
            s.close();
        }
    }

    static final class Channel implements ByteChannel {
        private final Socket s;

        Channel(Socket s) {
            this.s = s;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return s.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return s.write(src);
        }

        @Override
        public boolean isOpen() {
            return s.isOpen();
        }

        @Override
        public void close() {
            s.close();
        }
    }
}

package io.ffsock.bench.contenders;

import io.ffsock.bench.Peer;
import io.ffsock.bench.Transport;

import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** The JDK's own sockets, each used the way its documentation suggests for blocking I/O. */
final class JdkClients {
    private JdkClients() {}

    /** A blocking {@link SocketChannel} (TCP or UNIX) with direct buffers; one write per frame. */
    static final class Nio extends Client {
        private final SocketChannel echo;
        private final SocketChannel sink;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private final ByteBuffer frame;
        private final ByteBuffer header = ByteBuffer.allocateDirect(8);
        private final ByteBuffer ack = ByteBuffer.allocateDirect(1);

        Nio(Peer peer, Transport t, int size) throws IOException {
            super(size);
            echo = open(peer, t);
            sink = open(peer, t);
            out = ByteBuffer.allocateDirect(size);
            in = ByteBuffer.allocateDirect(size);
            frame = ByteBuffer.allocateDirect(size + 4).put(frameBytes(size));
            writeAll(echo, ByteBuffer.wrap(new byte[] {'E'}));
            writeAll(sink, ByteBuffer.wrap(new byte[] {'S'}));
        }

        private static SocketChannel open(Peer peer, Transport t) throws IOException {
            if (t == Transport.TCP) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", peer.tcpPort()));
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return c;
            }
            return SocketChannel.open(UnixDomainSocketAddress.of(peer.unixPath()));
        }

        private static void writeAll(SocketChannel c, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                c.write(b);
            }
        }

        @Override
        public void roundTrip() throws IOException {
            out.clear();
            writeAll(echo, out);
            in.clear();
            while (in.hasRemaining()) {
                if (echo.read(in) < 0) {
                    throw new EOFException("echo closed");
                }
            }
        }

        @Override
        public void stream(int count) throws IOException {
            header.clear();
            header.putLong(0, streamBytes(count));
            writeAll(sink, header);
            for (int i = 0; i < count; i++) {
                frame.clear();
                writeAll(sink, frame);
            }
            ack.clear();
            if (sink.read(ack) < 0) {
                throw new EOFException("sink closed");
            }
        }

        @Override
        public void close() throws IOException {
            echo.close();
            sink.close();
        }
    }

    /** {@link java.net.Socket} streams over byte[] (TCP only: java.net.Socket has no AF_UNIX). */
    static final class Net extends Client {
        private final java.net.Socket echo;
        private final java.net.Socket sink;
        private final OutputStream echoOut;
        private final InputStream echoIn;
        private final OutputStream sinkOut;
        private final DataOutputStream sinkHeader;
        private final InputStream sinkIn;
        private final byte[] out;
        private final byte[] in;
        private final byte[] frame;

        Net(Peer peer, int size) throws IOException {
            super(size);
            echo = new java.net.Socket("127.0.0.1", peer.tcpPort());
            sink = new java.net.Socket("127.0.0.1", peer.tcpPort());
            echo.setTcpNoDelay(true);
            sink.setTcpNoDelay(true);
            echoOut = echo.getOutputStream();
            echoIn = echo.getInputStream();
            sinkOut = sink.getOutputStream();
            sinkHeader = new DataOutputStream(sinkOut);
            sinkIn = sink.getInputStream();
            out = new byte[size];
            in = new byte[size];
            frame = frameBytes(size);
            echoOut.write('E');
            sinkOut.write('S');
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
            sinkHeader.writeLong(streamBytes(count));
            for (int i = 0; i < count; i++) {
                sinkOut.write(frame);
            }
            if (sinkIn.read() < 0) {
                throw new EOFException("sink closed");
            }
        }

        @Override
        public void close() throws IOException {
            echo.close();
            sink.close();
        }
    }
}

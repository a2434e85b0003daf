package io.ffsock.bench.contenders;

import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** jnr-unixsocket's blocking {@link UnixSocketChannel} with direct buffers; one write per frame. */
final class JnrClient extends Client {
    private final UnixSocketChannel echo;
    private final UnixSocketChannel sink;
    private final ByteBuffer out;
    private final ByteBuffer in;
    private final ByteBuffer frame;
    private final ByteBuffer header = ByteBuffer.allocateDirect(8);
    private final ByteBuffer ack = ByteBuffer.allocateDirect(1);

    JnrClient(String path, int size) throws IOException {
        super(size);
        echo = UnixSocketChannel.open(new UnixSocketAddress(path));
        sink = UnixSocketChannel.open(new UnixSocketAddress(path));
        out = ByteBuffer.allocateDirect(size);
        in = ByteBuffer.allocateDirect(size);
        frame = ByteBuffer.allocateDirect(size + 4).put(frameBytes(size));
        writeAll(echo, ByteBuffer.wrap(new byte[] {'E'}));
        writeAll(sink, ByteBuffer.wrap(new byte[] {'S'}));
    }

    private static void writeAll(UnixSocketChannel c, ByteBuffer b) throws IOException {
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

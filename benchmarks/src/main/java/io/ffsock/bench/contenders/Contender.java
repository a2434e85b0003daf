package io.ffsock.bench.contenders;

import io.ffsock.bench.Peer;
import io.ffsock.bench.Transport;

import java.io.IOException;

/** Everything measured side by side, and how to open a client of each against the C peer. */
public enum Contender {
    /** ffsock {@code Socket.read/write(MemorySegment)} over native segments; streams one write per frame. */
    FFSOCK("ffsock", "ffsock Socket.read/write(MemorySegment)", true, true),
    /** ffsock's framing: {@code FrameWriter} (coalesced) and {@code FrameReader}. */
    FFSOCK_FRAMED("ffsock-frames", "ffsock FrameWriter/FrameReader, U4 frames (coalesced)", true, true),
    /** ffsock {@code Socket.read/write(ByteBuffer)} over direct buffers. */
    FFSOCK_BYTEBUFFER("ffsock-bb", "ffsock Socket.read/write(ByteBuffer), direct", true, true),
    /** ffsock's {@code InputStream}/{@code OutputStream} views over {@code byte[]}. */
    FFSOCK_BYTES("ffsock-bytes", "ffsock streams over byte[]", true, true),
    /** The JNI twin: the same strategy and system calls as ffsock, bound through JNI. */
    JNI("jni", "JNI twin (same C calls, same strategy)", true, true),
    /** A blocking {@code java.nio.channels.SocketChannel} with direct buffers. */
    NIO("nio", "java.nio SocketChannel, blocking, direct", true, true),
    /** {@code java.net.Socket} streams over {@code byte[]} (TCP only). */
    JAVA_NET("java.net", "java.net.Socket streams over byte[]", true, false),
    /** jnr-unixsocket's {@code UnixSocketChannel} (AF_UNIX only). */
    JNR("jnr", "jnr-unixsocket UnixSocketChannel", false, true),
    /** The floor: the C peer's client, blocking send/recv, one send per message. */
    C("C", "C, blocking send()/recv()", true, true);

    private final String id;
    private final String description;
    private final boolean tcp;
    private final boolean unix;

    Contender(String id, String description, boolean tcp, boolean unix) {
        this.id = id;
        this.description = description;
        this.tcp = tcp;
        this.unix = unix;
    }

    /** The short name used in tables, JSON and JMH parameters. */
    public String id() {
        return id;
    }

    /** What exactly is measured. */
    public String description() {
        return description;
    }

    /** Whether the contender can run over {@code t}. */
    public boolean supports(Transport t) {
        return t == Transport.TCP ? tcp : unix;
    }

    /** The contender with the short name {@code id}. */
    public static Contender byId(String id) {
        for (Contender c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no contender " + id);
    }

    /** A client connected to {@code peer} over {@code t}, for messages of {@code size} bytes. */
    public Client open(Peer peer, Transport t, int size) throws IOException {
        if (!supports(t)) {
            throw new IllegalArgumentException(id + " does not run over " + t);
        }
        return switch (this) {
            case FFSOCK -> new FfsockClients.Segment(peer.dest(t), t, size);
            case FFSOCK_FRAMED -> new FfsockClients.Framed(peer.dest(t), t, size);
            case FFSOCK_BYTEBUFFER -> new FfsockClients.Buffer(peer.dest(t), t, size);
            case FFSOCK_BYTES -> new FfsockClients.Bytes(peer.dest(t), t, size);
            case JNI -> new JniClient(peer.dest(t), t, size);
            case NIO -> new JdkClients.Nio(peer, t, size);
            case JAVA_NET -> new JdkClients.Net(peer, size);
            case JNR -> new JnrClient(peer.unixPath(), size);
            case C -> new CClient(peer.cTarget(t), size);
        };
    }
}

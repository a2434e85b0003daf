package io.ffsock.loop;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;

/**
 * A connected UDP socket on a loop ({@code open datagram socket}): each write is one datagram to the peer, each
 * datagram from the peer is handed over whole. Writes made while the socket cannot take them wait in a queue of
 * datagrams. Everything here runs on the loop thread.
 */
final class DatagramLink extends Channel {
    /** What the link reports to its owner. */
    interface Events {
        void datagram(byte[] data);

        /** A failure of one operation; the socket stays usable (UDP errors concern one datagram). */
        void failed(TcpSocket.Error error, String text);

        /** A datagram queued with {@code token} has been sent ({@code ok}) or dropped (after {@link #failed}). */
        void sent(Object token, boolean ok);
    }

    /** The largest datagram the loop's buffer carries (UDP's own limit is 65,507 bytes over IPv4). */
    static final int MAX_DATAGRAM = LoopIo.IO_BUFFER;

    private final EventLoop loop;
    private final Events events;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final ArrayDeque<Object> tokens = new ArrayDeque<>();
    private SockAddr peer;

    DatagramLink(EventLoop loop, Events events) {
        this.loop = loop;
        this.events = events;
    }

    /** Opens, binds ({@code local} may be null) and connects: 0 or -errno. */
    int open(SockAddr local, SockAddr remote) {
        LoopIo io = loop.io();
        int f = io.socket(remote.family(), Net.SOCK_DGRAM);
        if (f < 0) {
            return f;
        }
        int r = 0;
        if (local != null) {
            io.setInt(f, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
            r = io.bind(f, local);
        }
        if (r == 0) {
            r = io.connect(f, remote);
        }
        if (r == 0) {
            r = loop.register(this, f, Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLET);
        }
        if (r != 0) {
            io.close(f);
            return r;
        }
        peer = remote;
        return 0;
    }

    SockAddr peer() {
        return peer;
    }

    SockAddr local() {
        return fd < 0 ? null : loop.io().name(fd, false);
    }

    boolean isOpen() {
        return fd >= 0;
    }

    /** Queues one datagram and sends what the kernel takes; {@code token} comes back through {@link Events#sent}. */
    void send(byte[] data, Object token) {
        if (data.length > MAX_DATAGRAM) {
            events.failed(TcpSocket.Error.DATAGRAM_TOO_LARGE, "datagram of " + data.length
                    + " bytes is larger than the limit of " + MAX_DATAGRAM + " bytes; not sent");
            events.sent(token, false);
            return;
        }
        queue.add(data);
        tokens.add(token);
        if (fd >= 0) {
            flush();
        }
    }

    private void flush() {
        LoopIo io = loop.io();
        while (fd >= 0 && !queue.isEmpty()) {
            byte[] d = queue.peek();
            MemorySegment.copy(d, 0, io.buf, ValueLayout.JAVA_BYTE, 0, d.length);
            long r = io.send(fd, d.length);
            if (r == -Errno.EAGAIN) {
                return; // EPOLLOUT will come
            }
            queue.poll();
            Object token = tokens.poll();
            if (r >= 0) {
                events.sent(token, true);
                continue;
            }
            int e = (int) -r;
            TcpSocket.Error err = TcpSocket.Error.of(e);
            events.failed(err == TcpSocket.Error.DATAGRAM_TOO_LARGE ? err : err == TcpSocket.Error.UNKNOWN
                    ? TcpSocket.Error.NETWORK : err, err == TcpSocket.Error.DATAGRAM_TOO_LARGE
                    ? "datagram of " + d.length + " bytes is larger than the limit (" + Errno.strerror(e) + "); not sent"
                    : Errno.strerror(e));
            events.sent(token, false);
        }
    }

    @Override
    void onEvents(int ev) {
        if ((ev & (Epoll.EPOLLIN | Epoll.EPOLLERR)) != 0) {
            receive();
        }
        if (fd >= 0 && (ev & Epoll.EPOLLOUT) != 0) {
            flush();
        }
    }

    private void receive() {
        LoopIo io = loop.io();
        // datagrams: a short read says nothing about the next one, so read until EAGAIN (or the budget)
        for (int i = 0; i < EventLoop.READ_BUDGET * 4 && fd >= 0; i++) {
            long n = io.recv(fd, MAX_DATAGRAM);
            if (n >= 0) {
                byte[] d = new byte[(int) n];
                MemorySegment.copy(io.buf, ValueLayout.JAVA_BYTE, 0, d, 0,
                        (int) n);
                events.datagram(d);
                continue;
            }
            if (n == -Errno.EAGAIN) {
                return;
            }
            int e = (int) -n;
            // a refused datagram (ICMP port unreachable) is reported on the next call; the socket stays usable
            events.failed(TcpSocket.Error.of(e) == TcpSocket.Error.UNKNOWN ? TcpSocket.Error.NETWORK
                    : TcpSocket.Error.of(e), Errno.strerror(e));
        }
        if (fd >= 0) {
            loop.again(this);
        }
    }

    @Override
    void onAgain() {
        receive();
    }

    void close() {
        int f = fd;
        if (f >= 0) {
            loop.deregister(this);
            loop.io().close(f);
        }
        queue.clear();
        tokens.clear();
    }

    @Override
    void onLoopClose() {
        int f = fd;
        fd = -1;
        if (f >= 0) {
            loop.io().close(f);
        }
    }
}

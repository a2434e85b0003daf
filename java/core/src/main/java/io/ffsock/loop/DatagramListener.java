package io.ffsock.loop;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A UDP socket bound to a port that takes datagrams from anyone ({@code accept datagram connections}): each
 * datagram is handed over with its sender, and answers go back from the same port with sendto(2). Runs on the loop
 * thread.
 */
final class DatagramListener extends Channel {
    /** What the listener reports to its owner. */
    interface Events {
        void datagram(SockAddr from, byte[] data);

        void failed(String text);
    }

    private final EventLoop loop;
    private final Events events;
    private int port;

    DatagramListener(EventLoop loop, Events events) {
        this.loop = loop;
        this.events = events;
    }

    /** Binds every address (both families where the machine has IPv6) at {@code port}: 0 or -errno. */
    int open(int port) {
        LoopIo io = loop.io();
        SockAddr at = SockAddr.inet(new byte[16], port, 0);
        int f = io.socket(Net.AF_INET6, Net.SOCK_DGRAM);
        if (f == -Errno.EAFNOSUPPORT) {
            at = SockAddr.inet(new byte[4], port, 0);
            f = io.socket(Net.AF_INET, Net.SOCK_DGRAM);
        }
        if (f < 0) {
            return f;
        }
        if (at.family() == Net.AF_INET6) {
            io.setInt(f, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 0);
            v6 = true;
        }
        int r = io.bind(f, at);
        if (r == 0) {
            r = loop.register(this, f, Epoll.EPOLLIN | Epoll.EPOLLET);
        }
        if (r != 0) {
            io.close(f);
            return r;
        }
        SockAddr bound = io.name(f, false);
        this.port = bound == null ? port : bound.port();
        return 0;
    }

    int port() {
        return port;
    }

    /** Sends one datagram to {@code to} from the listening port: {@code null}, or why the kernel did not take it. */
    String sendTo(SockAddr to, byte[] data) {
        if (fd < 0) {
            return "the datagram port is closed";
        }
        if (data.length > DatagramLink.MAX_DATAGRAM) {
            return "datagram of " + data.length + " bytes is larger than the limit of " + DatagramLink.MAX_DATAGRAM
                    + " bytes; not sent";
        }
        LoopIo io = loop.io();
        MemorySegment.copy(data, 0, io.buf, ValueLayout.JAVA_BYTE, 0, data.length);
        SockAddr dest = to;
        if (to.family() == Net.AF_INET && v6) {
            dest = mapped(to); // a dual-stack socket sends to IPv4 peers through their mapped address
        }
        long r = io.sendTo(fd, data.length, dest);
        if (r >= 0) {
            return null;
        }
        int e = (int) -r;
        return e == Errno.EMSGSIZE ? "datagram of " + data.length + " bytes is larger than the limit ("
                + Errno.strerror(e) + "); not sent" : Errno.strerror(e);
    }

    /** Bound as a dual-stack IPv6 socket. */
    private boolean v6;

    private static SockAddr mapped(SockAddr v4) {
        byte[] ip = new byte[16];
        ip[10] = (byte) 0xff;
        ip[11] = (byte) 0xff;
        System.arraycopy(v4.ip(), 0, ip, 12, 4);
        return SockAddr.inet(ip, v4.port(), 0);
    }

    @Override
    void onEvents(int ev) {
        receive();
    }

    @Override
    void onAgain() {
        receive();
    }

    private void receive() {
        LoopIo io = loop.io();
        for (int i = 0; i < EventLoop.READ_BUDGET * 4 && fd >= 0; i++) {
            long n = io.recvFrom(fd, DatagramLink.MAX_DATAGRAM);
            if (n >= 0) {
                SockAddr from = TcpServer.unmapped(io.acceptedPeer());
                byte[] d = new byte[(int) n];
                MemorySegment.copy(io.buf, ValueLayout.JAVA_BYTE, 0, d, 0, (int) n);
                events.datagram(from, d);
                continue;
            }
            if (n == -Errno.EAGAIN) {
                return;
            }
            events.failed(Errno.strerror((int) -n));
        }
        if (fd >= 0) {
            loop.again(this);
        }
    }

    void close() {
        int f = fd;
        if (f >= 0) {
            loop.deregister(this);
            loop.io().close(f);
        }
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

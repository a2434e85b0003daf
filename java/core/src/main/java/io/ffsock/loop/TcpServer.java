package io.ffsock.loop;

import io.ffsock.internal.sys.Epoll;
import io.ffsock.internal.sys.Errno;
import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.SockAddr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Accepts TCP connections on an {@link EventLoop} (or on every loop of an {@link EventLoopGroup}, one
 * {@code SO_REUSEPORT} listener each) and hands each one over as a connected {@link TcpSocket}.
 * <p>
 * {@code onNewConnection} runs on the loop of the new socket before it reads anything, so the handlers set there
 * see every byte. Accept failures that concern one connection (it was reset before it was accepted) are skipped;
 * running out of descriptors is reported to {@code onAcceptError} with SOCKET_RESOURCE, and the listener tries again
 * 100 ms later rather than spinning.
 */
public final class TcpServer implements AutoCloseable {
    private static final int ACCEPT_BUDGET = 64;
    private static final long RETRY_MS = 100;

    private final List<EventLoop> loops;
    private final List<Listener> listeners = new ArrayList<>();
    private volatile Consumer<TcpSocket> onNewConnection;
    private volatile BiConsumer<TcpServer, TcpSocket.Error> onAcceptError;
    private volatile int backlog = 4096;
    private volatile boolean listening;
    private volatile int port;
    private volatile String address = "";
    private volatile TcpSocket.Error error;
    private volatile String errorString = "";

    /** A server on the shared loop. */
    public TcpServer() {
        this(EventLoop.shared());
    }

    /** A server whose connections run on {@code loop}. */
    public TcpServer(EventLoop loop) {
        this.loops = List.of(Objects.requireNonNull(loop, "loop"));
    }

    /** A server with one listener per loop of {@code group}. */
    public TcpServer(EventLoopGroup group) {
        this.loops = group.loops();
    }

    /** Called on the new socket's loop for every accepted connection, which is CONNECTED already. */
    public TcpServer onNewConnection(Consumer<TcpSocket> h) {
        this.onNewConnection = h;
        return this;
    }

    /** Called when accepting fails for a reason that is not one connection's (e.g. out of descriptors). */
    public TcpServer onAcceptError(BiConsumer<TcpServer, TcpSocket.Error> h) {
        this.onAcceptError = h;
        return this;
    }

    /** The listen(2) backlog (default 4096; the kernel caps it at somaxconn). */
    public void setBacklog(int backlog) {
        this.backlog = Math.max(1, backlog);
    }

    /** Listens on every address (IPv6 and IPv4) at {@code port}; 0 picks a port. */
    public boolean listen(int port) {
        return listen(null, port);
    }

    /**
     * Listens on {@code address} (numeric; {@code null} for every address of both families) at {@code port} (0
     * picks one). Returns whether it worked; {@link #errorString()} says why not.
     */
    public synchronized boolean listen(String address, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range: ports are 0 to 65535");
        }
        if (listening) {
            error = TcpSocket.Error.OPERATION;
            errorString = "already listening on port " + this.port;
            return false;
        }
        SockAddr at;
        boolean dual = false;
        if (address == null) {
            at = SockAddr.inet(new byte[16], port, 0);
            dual = true;
        } else {
            byte[] ip = Lookups.literal(address);
            if (ip == null) {
                error = TcpSocket.Error.HOST_NOT_FOUND;
                errorString = "listen() needs a numeric address, not '" + address + "'";
                return false;
            }
            at = SockAddr.inet(ip, port, 0);
        }
        boolean reusePort = loops.size() > 1;
        int chosen = port;
        for (EventLoop loop : loops) {
            SockAddr here = chosen == at.port() ? at : SockAddr.inet(at.ip(), chosen, 0);
            Listener l = new Listener(loop);
            boolean d = dual;
            int[] result = loop.call(() -> l.open(here, d, reusePort));
            if (result[0] != 0) {
                closeListeners();
                error = TcpSocket.Error.of(-result[0]);
                errorString = "listen on " + here + ": " + Errno.strerror(-result[0]);
                return false;
            }
            listeners.add(l);
            chosen = result[1];
        }
        this.port = chosen;
        this.address = at.address();
        listening = true;
        return true;
    }

    /** Whether the server is listening. */
    public boolean isListening() {
        return listening;
    }

    /** The port listened on (the one chosen when 0 was asked for), or 0. */
    public int port() {
        return listening ? port : 0;
    }

    /** The address listened on ({@code "::"} for every address), or {@code ""}. */
    public String address() {
        return listening ? address : "";
    }

    /** The last error, or {@code null}. */
    public TcpSocket.Error error() {
        return error;
    }

    /** A description of the last error, or {@code ""}. */
    public String errorString() {
        return errorString;
    }

    /** Stops listening; the connections already accepted stay open. */
    @Override
    public synchronized void close() {
        closeListeners();
        listening = false;
    }

    private void closeListeners() {
        for (Listener l : listeners) {
            if (!l.loop.isClosed()) {
                l.loop.call(() -> {
                    l.shut();
                    return null;
                });
            }
        }
        listeners.clear();
    }

    /**
     * An IPv4 peer of a dual-stack listener arrives as {@code ::ffff:a.b.c.d}; it is reported as the IPv4 address it
     * is.
     */
    static SockAddr unmapped(SockAddr a) {
        byte[] ip = a.ip();
        if (a.family() != Net.AF_INET6 || ip == null || ip.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return a;
            }
        }
        if (ip[10] != (byte) 0xff || ip[11] != (byte) 0xff) {
            return a;
        }
        return SockAddr.inet(new byte[] {ip[12], ip[13], ip[14], ip[15]}, a.port(), 0);
    }

    /** One listening descriptor on one loop. */
    private final class Listener extends Channel {
        final EventLoop loop;
        EventLoop.Timer retry;

        Listener(EventLoop loop) {
            this.loop = loop;
        }

        /** {0 or -errno, the port}. */
        int[] open(SockAddr at, boolean dual, boolean reusePort) {
            LoopIo io = loop.io();
            int fd = io.socket(at.family(), Net.SOCK_STREAM);
            if (fd < 0 && dual && -fd == Errno.EAFNOSUPPORT) {
                at = SockAddr.inet(new byte[4], at.port(), 0);
                fd = io.socket(at.family(), Net.SOCK_STREAM);
            }
            if (fd < 0) {
                return new int[] {fd, 0};
            }
            io.setInt(fd, Net.SOL_SOCKET, Net.SO_REUSEADDR, 1);
            if (reusePort) {
                io.setInt(fd, Net.SOL_SOCKET, Net.SO_REUSEPORT, 1);
            }
            if (dual && at.family() == Net.AF_INET6) {
                io.setInt(fd, Net.IPPROTO_IPV6, Net.IPV6_V6ONLY, 0);
            }
            int r = io.bind(fd, at);
            if (r == 0) {
                r = io.listen(fd, backlog);
            }
            if (r == 0) {
                r = loop.register(this, fd, Epoll.EPOLLIN | Epoll.EPOLLET);
            }
            if (r != 0) {
                io.close(fd);
                return new int[] {r, 0};
            }
            SockAddr bound = io.name(fd, false);
            return new int[] {0, bound == null ? at.port() : bound.port()};
        }

        void shut() {
            if (retry != null) {
                retry.cancel();
            }
            int f = fd;
            if (f >= 0) {
                loop.deregister(this);
                loop.io().close(f);
            }
        }

        @Override
        void onEvents(int events) {
            acceptAll();
        }

        @Override
        void onAgain() {
            acceptAll();
        }

        private void acceptAll() {
            LoopIo io = loop.io();
            for (int i = 0; i < ACCEPT_BUDGET; i++) {
                if (fd < 0) {
                    return;
                }
                int c = io.accept(fd);
                if (c >= 0) {
                    SockAddr peer = unmapped(io.acceptedPeer());
                    TcpSocket s = new TcpSocket(loop, c, peer);
                    Consumer<TcpSocket> h = onNewConnection;
                    if (h != null) {
                        try {
                            h.accept(s);
                        } catch (Throwable t) {
                            loop.report(t);
                        }
                    }
                    s.adopt();
                    continue;
                }
                int e = -c;
                if (e == Errno.EAGAIN) {
                    return;
                }
                if (e == Errno.ECONNABORTED || e == Errno.EPERM || e == Errno.EPROTOTYPE) {
                    continue; // that connection is gone; the others are still waiting
                }
                TcpSocket.Error err = TcpSocket.Error.of(e);
                error = err;
                errorString = "accept(): " + Errno.strerror(e);
                BiConsumer<TcpServer, TcpSocket.Error> h = onAcceptError;
                if (h != null) {
                    try {
                        h.accept(TcpServer.this, err);
                    } catch (Throwable t) {
                        loop.report(t);
                    }
                }
                // with edge triggering the waiting connections would never be announced again: come back later
                if (retry == null) {
                    retry = loop.timer(this::acceptAll);
                }
                retry.schedule(RETRY_MS);
                return;
            }
            loop.again(this); // more may be waiting: let the other sockets have a turn first
        }

        @Override
        void onLoopClose() {
            int f = fd;
            fd = -1;
            if (f >= 0) {
                loop.io().close(f);
            }
            listening = false;
        }
    }
}

package io.ffsock.loop;

import io.ffsock.internal.sys.Sys;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The background threads name lookups run on: at most four, daemon, ended after a minute of idleness. */
final class Lookups {
    private Lookups() {}

    private static final AtomicInteger IDS = new AtomicInteger();

    static final ExecutorService POOL;
    static {
        ThreadPoolExecutor p = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ffsock-lookup-" + IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        POOL = p;
    }

    /**
     * The address bytes of a numeric host ({@code "127.0.0.1"}, {@code "::1"}, {@code "[::1]"}), or {@code null}
     * when {@code host} is a name that needs a lookup.
     */
    static byte[] literal(String host) {
        String h = host;
        if (h.length() > 2 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty() || h.indexOf('%') >= 0) {
            return null;
        }
        return Sys.pton(h);
    }

    /** The scope id of an IPv6 address from a resolver (link-local), else 0. */
    static int scope(InetAddress a) {
        return a instanceof Inet6Address six ? six.getScopeId() : 0;
    }
}

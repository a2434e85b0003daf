package io.ffsock.loop;

import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.Sys;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a host name into addresses. A lookup blocks, so the loop never calls a resolver itself: lookups run on a
 * small pool of background daemon threads and their results are handed back to the loop (LiveCode 4.5: "the DNS
 * lookup will happen in the background"). A numeric address ({@code "127.0.0.1"}, {@code "::1"},
 * {@code "[::1]"}) is never given to a resolver.
 * <p>
 * The default, {@link #system()}, asks {@code getaddrinfo(3)}. Tests and programs that must control name resolution
 * (a dual-stack name for Happy Eyeballs, a name that does not resolve) pass their own, for example
 * {@code host -> List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"))} — a literal given to
 * {@code InetAddress.getByName} is parsed, never looked up.
 */
@FunctionalInterface
public interface Resolver {

    /**
     * The addresses of {@code host}, in the order the resolver prefers them; called on a background thread.
     *
     * @throws UnknownHostException when the name has no address (the socket reports HOST_NOT_FOUND with its message)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** getaddrinfo(3) for TCP, every family, duplicates removed, in the order the C library returns. */
    static Resolver system() {
        return host -> {
            List<Sys.Resolved> found;
            try {
                found = Sys.resolve(host, null, Net.AF_UNSPEC, Net.SOCK_STREAM, 0);
            } catch (Sys.ResolveException e) {
                throw new UnknownHostException(host + ": " + e.getMessage());
            }
            Set<InetAddress> out = new LinkedHashSet<>();
            for (Sys.Resolved r : found) {
                out.add(InetAddress.getByAddress(host, r.addr().ip()));
            }
            if (out.isEmpty()) {
                throw new UnknownHostException(host + ": no address");
            }
            return new ArrayList<>(out);
        };
    }
}

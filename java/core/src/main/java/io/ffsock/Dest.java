package io.ffsock;

import io.ffsock.internal.sys.Net;
import io.ffsock.internal.sys.Sys;

/**
 * A connect or bind target string, parsed as Qore does: no colon means a UNIX socket path; otherwise split at the
 * <em>last</em> colon into host and service, where {@code [host]} forces IPv6 (the brackets are removed) and a host
 * that itself contains a colon is an IPv6 literal.
 *
 * @param host    the host, without brackets; {@code null} for a UNIX path
 * @param service the port number or service name; {@code null} for a UNIX path
 * @param family  AF_INET6 for {@code [host]} or a host with colons, else AF_UNSPEC; AF_UNIX for a path
 * @param path    the UNIX socket path, or {@code null}
 */
record Dest(String host, String service, int family, String path) {

    /**
     * Parses {@code dest}; {@code forBind} picks Qore's bind rule (a host without colons is IPv4) over connect's
     * (every family the name resolves to).
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    static Dest parse(String dest, boolean forBind) {
        if (dest == null || dest.isEmpty()) {
            throw new IllegalArgumentException("empty target: expecting \"host:port\", \"[ipv6]:port\" or a UNIX socket path");
        }
        int colon = dest.lastIndexOf(':');
        if (colon < 0) {
            return new Dest(null, null, Net.AF_UNIX, dest);
        }
        String host = dest.substring(0, colon);
        String service = dest.substring(colon + 1);
        int family;
        if (host.length() > 2 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
            host = host.substring(1, host.length() - 1);
            family = Net.AF_INET6;
        } else if (host.indexOf(':') >= 0) {
            family = Net.AF_INET6;
        } else {
            family = forBind ? Net.AF_INET : Net.AF_UNSPEC;
        }
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("no host before the port in \"" + dest + "\"");
        }
        if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException("unbalanced brackets in \"" + dest + "\": expecting \"[ipv6]:port\"");
        }
        if (service.isEmpty()) {
            throw new IllegalArgumentException("no port or service name after the last colon in \"" + dest + "\"");
        }
        checkHost(host);
        checkPort(service);
        return new Dest(host, service, family, null);
    }

    /**
     * Rejects a host that is neither an IP address nor a well-formed host name (RFC 1123 labels of letters, digits,
     * '-' and '_', at most 63 bytes each and 253 in all), so that garbage gets a clear error here and is never sent
     * to a resolver. A host with a colon must be an IPv6 address, optionally with a {@code %scope}.
     */
    static void checkHost(String host) {
        if (host.indexOf(':') >= 0) {
            int pct = host.indexOf('%');
            String addr = pct < 0 ? host : host.substring(0, pct);
            byte[] ip = Sys.pton(addr);
            if (ip == null || ip.length != 16 || (pct >= 0 && !isLabelText(host.substring(pct + 1)))) {
                throw new IllegalArgumentException("'" + host + "' has a colon but is not an IPv6 address");
            }
            return;
        }
        if (Sys.pton(host) != null) {
            return;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("malformed host name '" + host + "': a name has 1 to 253 characters");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !isLabelText(label)) {
                throw new IllegalArgumentException("malformed host name '" + host + "': each dot-separated label has "
                        + "1 to 63 letters, digits, '-' or '_'");
            }
        }
    }

    private static boolean isLabelText(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** A numeric service must be a port, 0 to 65535; names are left to getaddrinfo. */
    static void checkPort(String service) {
        if (service == null || service.isEmpty()) {
            return;
        }
        boolean digits = true;
        for (int i = 0; i < service.length(); i++) {
            char ch = service.charAt(i);
            if (ch < '0' || ch > '9') {
                digits = false;
                break;
            }
        }
        if (digits && (service.length() > 5 || Integer.parseInt(service) > 65535)) {
            throw new IllegalArgumentException("port " + service + " is out of range: ports are 0 to 65535");
        }
        if (!digits && service.charAt(0) == '-') {
            throw new IllegalArgumentException("port " + service + " is out of range: ports are 0 to 65535");
        }
    }
}

package io.ffsock.loop;

/**
 * A LiveCode socket identifier, {@code host[:port[|ID]]}: the host (an address or a name; an IPv6 address in
 * brackets), the port (80 when left out), and an optional connection name that tells several sockets to the same
 * host and port apart.
 *
 * @param host the host, without brackets
 * @param port the port
 * @param id   the connection name, or {@code null}
 */
record SocketName(String host, int port, String id) {

    /** The default port of {@code open socket}. */
    static final int DEFAULT_PORT = 80;

    /**
     * Parses {@code target}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static SocketName parse(String target) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("empty socket identifier: expecting host[:port[|ID]]");
        }
        String rest = target;
        String id = null;
        String host;
        int port = DEFAULT_PORT;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced '[' in \"" + target + "\": expecting [ipv6]:port");
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
            if (rest.startsWith(":")) {
                rest = rest.substring(1);
                int bar = rest.indexOf('|');
                port = parsePort(bar < 0 ? rest : rest.substring(0, bar), target);
                id = bar < 0 ? null : rest.substring(bar + 1);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("expected ':' after ']' in \"" + target + "\"");
            }
        } else {
            int colon = rest.indexOf(':');
            if (colon < 0) {
                if (rest.indexOf('|') >= 0) {
                    throw new IllegalArgumentException("a connection name needs a port before it: host:port|ID, not \""
                            + target + "\"");
                }
                host = rest;
            } else {
                host = rest.substring(0, colon);
                rest = rest.substring(colon + 1);
                int bar = rest.indexOf('|');
                port = parsePort(bar < 0 ? rest : rest.substring(0, bar), target);
                id = bar < 0 ? null : rest.substring(bar + 1);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in \"" + target + "\"");
        }
        if (id != null && id.isEmpty()) {
            throw new IllegalArgumentException("empty connection name after '|' in \"" + target + "\"");
        }
        return new SocketName(host, port, id);
    }

    private static int parsePort(String s, String target) {
        if (s.isEmpty() || s.length() > 5) {
            throw new IllegalArgumentException("bad port in \"" + target + "\": ports are 0 to 65535");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new IllegalArgumentException("bad port '" + s + "' in \"" + target + "\": ports are numbers");
            }
        }
        int p = Integer.parseInt(s);
        if (p > 65535) {
            throw new IllegalArgumentException("port " + p + " in \"" + target + "\" is out of range: 0 to 65535");
        }
        return p;
    }

    /** The canonical identifier: {@code host:port} or {@code host:port|ID} ({@code [v6]:port} for IPv6). */
    String name() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port + (id == null ? "" : "|" + id);
    }
}

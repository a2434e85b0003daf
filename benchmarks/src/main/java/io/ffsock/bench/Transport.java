package io.ffsock.bench;

/** The two kinds of connection every benchmark runs over: TCP on 127.0.0.1, and a UNIX stream socket. */
public enum Transport {
    TCP("TCP loopback"),
    UNIX("AF_UNIX");

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    /** How a person reads it in a table. */
    public String label() {
        return label;
    }
}

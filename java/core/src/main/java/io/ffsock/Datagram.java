package io.ffsock;

/**
 * One datagram as {@link DatagramSocket#receiveFrom(long)} returns it: all of its bytes (never cut) and who sent
 * it. The array is the caller's; equality is that of records, so two datagrams are equal only when they share the
 * array.
 *
 * @param data the datagram's bytes (possibly none: an empty datagram is a datagram)
 * @param from the sender's address and port, or its UNIX path ({@code ""} for an unnamed UNIX socket); never
 *             with a host name, since no lookup is made
 */
public record Datagram(byte[] data, SocketInfo from) {}

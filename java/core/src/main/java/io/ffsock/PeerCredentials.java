package io.ffsock;

/**
 * The process at the other end of a UNIX socket, as the kernel recorded it when the connection (or the pair) was
 * made: SO_PEERCRED. Nothing here comes from the peer's own say-so.
 *
 * @param pid the peer's process id
 * @param uid its effective user id
 * @param gid its effective group id
 */
public record PeerCredentials(int pid, long uid, long gid) {}

/*
 * The hot path of a socket read and write, in C: what the JNI twin calls through JNI, and what the downcall
 * benchmarks call through FFM, so that the two bindings are compared on the very same callee (ffsock_jni.c
 * #includes this file; the FFM side looks the same symbols up in the same library).
 *
 * Each returns a byte count (or revents) >= 0, or -errno; EINTR is retried here, as SocketFd does in Java.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif

__attribute__((visibility("default"))) long ffsock_hot_send(int fd, const void *buf, size_t len) {
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            return (long) n;
        }
        if (errno != EINTR) {
            return -(long) errno;
        }
    }
}

__attribute__((visibility("default"))) long ffsock_hot_recv(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0) {
            return (long) n;
        }
        if (errno != EINTR) {
            return -(long) errno;
        }
    }
}

__attribute__((visibility("default"))) int ffsock_hot_poll(int fd, int events, int timeout_ms) {
    struct pollfd p;
    p.fd = fd;
    p.events = (short) events;
    p.revents = 0;
    for (;;) {
        int n = poll(&p, 1, timeout_ms);
        if (n > 0) {
            return p.revents & 0xffff;
        }
        if (n == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

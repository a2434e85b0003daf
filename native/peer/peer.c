/*
 * ffsock-peer: the C floor that ffsock is measured against, and the server every contender talks to.
 *
 *   ffsock-peer serve [tcp HOST PORT] [unix PATH]
 *       Listens on a TCP port (0: any free one) and/or a UNIX socket path, prints "tcp PORT" and/or "unix PATH",
 *       then "ready", and serves each connection in a thread of its own. The first byte a client sends picks
 *       the service:
 *         'E'  echo: every byte received is sent back, until end of stream;
 *         'S'  sink: repeatedly, an 8-byte big-endian count N, then N bytes that are read and dropped, then
 *              one byte 'K' back, so a client knows when a batch has arrived whole.
 *       Stops when stdin reaches end of file (the parent went away), removing the UNIX path.
 *
 *   ffsock-peer client tcp:HOST:PORT | unix:PATH
 *       The C contender: plain blocking send(2)/recv(2) on a blocking socket, as a C program would do it. Opens
 *       an echo and a sink connection, then runs one command per line of stdin and prints the elapsed
 *       nanoseconds of each:
 *         rtt SIZE COUNT      COUNT round trips of SIZE bytes through the echo service
 *         stream SIZE COUNT   COUNT frames of a 4-byte big-endian length and SIZE bytes, one send() per frame,
 *                             into the sink, then waits for its 'K'
 *         eagain SIZE COUNT   COUNT recv(2) calls with MSG_DONTWAIT on the idle echo connection, each returning
 *                             EAGAIN: the cost of the call itself, the floor of the downcall benchmark
 *       The benchmark harness interleaves these batches with the JVM contenders' batches in the same run.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static void die(const char *what) {
    fprintf(stderr, "ffsock-peer: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += k;
        n -= (size_t) k;
    }
    return 0;
}

/* 1 when all n bytes arrived, 0 at end of stream, -1 on error. */
static int recv_all(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t k = recv(fd, p, n, 0);
        if (k == 0) {
            return 0;
        }
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += k;
        n -= (size_t) k;
    }
    return 1;
}

static void nodelay(int fd, int family) {
    if (family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

/* ------------------------------------------------------------------------------------------------ server */

struct conn {
    int fd;
};

static void echo(int fd, char *buf) {
    for (;;) {
        ssize_t n = recv(fd, buf, BUF_SIZE, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || send_all(fd, buf, (size_t) n) != 0) {
            return;
        }
    }
}

static void sink(int fd, char *buf) {
    for (;;) {
        unsigned char hdr[8];
        if (recv_all(fd, (char *) hdr, 8) != 1) {
            return;
        }
        uint64_t left = 0;
        for (int i = 0; i < 8; i++) {
            left = (left << 8) | hdr[i];
        }
        while (left > 0) {
            ssize_t n = recv(fd, buf, left < BUF_SIZE ? (size_t) left : BUF_SIZE, 0);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return;
            }
            left -= (uint64_t) n;
        }
        if (send_all(fd, "K", 1) != 0) {
            return;
        }
    }
}

static void *serve_conn(void *arg) {
    struct conn *c = arg;
    char *buf = malloc(BUF_SIZE);
    char mode;
    if (buf != NULL && recv_all(c->fd, &mode, 1) == 1) {
        if (mode == 'E') {
            echo(c->fd, buf);
        } else if (mode == 'S') {
            sink(c->fd, buf);
        }
    }
    free(buf);
    close(c->fd);
    free(c);
    return NULL;
}

struct listener {
    int fd;
    int family;
};

static void *accept_loop(void *arg) {
    struct listener *l = arg;
    for (;;) {
        int fd = accept(l->fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return NULL;
        }
        nodelay(fd, l->family);
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        pthread_t t;
        if (pthread_create(&t, NULL, serve_conn, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(t);
    }
}

static int serve(int argc, char **argv) {
    static struct listener ls[2];
    int nl = 0;
    const char *unix_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "tcp") == 0 && i + 2 < argc) {
            struct sockaddr_in sa;
            memset(&sa, 0, sizeof sa);
            sa.sin_family = AF_INET;
            sa.sin_port = htons((uint16_t) atoi(argv[i + 2]));
            if (inet_pton(AF_INET, argv[i + 1], &sa.sin_addr) != 1) {
                fprintf(stderr, "ffsock-peer: not a numeric IPv4 address: %s\n", argv[i + 1]);
                return 2;
            }
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
                die("tcp listen");
            }
            socklen_t len = sizeof sa;
            getsockname(fd, (struct sockaddr *) &sa, &len);
            printf("tcp %d\n", ntohs(sa.sin_port));
            ls[nl].fd = fd;
            ls[nl++].family = AF_INET;
            i += 2;
        } else if (strcmp(argv[i], "unix") == 0 && i + 1 < argc) {
            struct sockaddr_un sa;
            memset(&sa, 0, sizeof sa);
            sa.sun_family = AF_UNIX;
            if (strlen(argv[i + 1]) >= sizeof sa.sun_path) {
                fprintf(stderr, "ffsock-peer: UNIX path too long\n");
                return 2;
            }
            strcpy(sa.sun_path, argv[i + 1]);
            unlink(sa.sun_path);
            int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
                die("unix listen");
            }
            unix_path = argv[i + 1];
            printf("unix %s\n", unix_path);
            ls[nl].fd = fd;
            ls[nl++].family = AF_UNIX;
            i += 1;
        } else {
            fprintf(stderr, "ffsock-peer: serve: bad argument %s\n", argv[i]);
            return 2;
        }
        if (nl == 2) {
            break;
        }
    }
    for (int i = 0; i < nl; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, accept_loop, &ls[i]) != 0) {
            die("pthread_create");
        }
        pthread_detach(t);
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        /* anything on stdin is ignored; end of file ends the server */
    }
    if (unix_path != NULL) {
        unlink(unix_path);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------------ client */

static int dial(const char *target, int *family) {
    if (strncmp(target, "unix:", 5) == 0) {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        if (strlen(target + 5) >= sizeof sa.sun_path) {
            return -1;
        }
        strcpy(sa.sun_path, target + 5);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
            return -1;
        }
        *family = AF_UNIX;
        return fd;
    }
    if (strncmp(target, "tcp:", 4) == 0) {
        char host[64];
        const char *colon = strrchr(target + 4, ':');
        if (colon == NULL || (size_t) (colon - target - 4) >= sizeof host) {
            return -1;
        }
        memcpy(host, target + 4, (size_t) (colon - target - 4));
        host[colon - target - 4] = 0;
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t) atoi(colon + 1));
        if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
            return -1;
        }
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
            return -1;
        }
        *family = AF_INET;
        return fd;
    }
    return -1;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int client(const char *target) {
    int family;
    int efd = dial(target, &family);
    int sfd = dial(target, &family);
    if (efd < 0 || sfd < 0) {
        die("connect");
    }
    nodelay(efd, family);
    nodelay(sfd, family);
    if (send_all(efd, "E", 1) != 0 || send_all(sfd, "S", 1) != 0) {
        die("send");
    }
    char *out = calloc(1, BUF_SIZE + 8);
    char *in = malloc(BUF_SIZE + 8);
    if (out == NULL || in == NULL) {
        die("malloc");
    }
    char line[128];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        char cmd[16];
        long size;
        long count;
        if (sscanf(line, "%15s %ld %ld", cmd, &size, &count) != 3 || size < 0 || size > BUF_SIZE || count < 0) {
            if (strncmp(line, "quit", 4) == 0) {
                break;
            }
            printf("error bad command\n");
            fflush(stdout);
            continue;
        }
        long long t0 = now_ns();
        int ok = 1;
        if (strcmp(cmd, "rtt") == 0) {
            for (long i = 0; i < count && ok; i++) {
                ok = send_all(efd, out, (size_t) size) == 0 && recv_all(efd, in, (size_t) size) == 1;
            }
        } else if (strcmp(cmd, "stream") == 0) {
            uint64_t total = (uint64_t) count * (uint64_t) (size + 4);
            unsigned char hdr[8];
            for (int i = 0; i < 8; i++) {
                hdr[i] = (unsigned char) (total >> (56 - 8 * i));
            }
            ok = send_all(sfd, (char *) hdr, 8) == 0;
            uint32_t be = htonl((uint32_t) size);
            memcpy(out, &be, 4); /* the frame: length then payload, built once, sent once per message */
            for (long i = 0; i < count && ok; i++) {
                ok = send_all(sfd, out, (size_t) size + 4) == 0;
            }
            char k;
            ok = ok && recv_all(sfd, &k, 1) == 1 && k == 'K';
        } else if (strcmp(cmd, "eagain") == 0) {
            /* the echo connection is idle between batches: each recv returns EAGAIN at once */
            for (long i = 0; i < count && ok; i++) {
                ok = recv(efd, in, (size_t) size, MSG_DONTWAIT) < 0 && errno == EAGAIN;
            }
        } else {
            printf("error unknown command %s\n", cmd);
            fflush(stdout);
            continue;
        }
        long long t1 = now_ns();
        if (!ok) {
            printf("error %s\n", strerror(errno));
        } else {
            printf("%lld\n", t1 - t0);
        }
        fflush(stdout);
    }
    close(efd);
    close(sfd);
    free(out);
    free(in);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
        return serve(argc - 2, argv + 2);
    }
    if (argc == 3 && strcmp(argv[1], "client") == 0) {
        return client(argv[2]);
    }
    fprintf(stderr, "usage: ffsock-peer serve [tcp HOST PORT] [unix PATH]\n"
                    "       ffsock-peer client tcp:HOST:PORT | unix:PATH\n");
    return 2;
}

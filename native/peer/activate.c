/*
 * ffsock-activate: starts a program the way a service manager does, so that tests can check socket activation
 * with real inherited descriptors and a real exec.
 *
 *   ffsock-activate [--wrong-pid] [--unix PATH] -- PROGRAM ARGS...
 *       systemd style (sd_listen_fds(3)): opens a TCP listener and a UDP socket on 127.0.0.1 (ports chosen by the
 *       kernel) and, with --unix, a UNIX stream listener at PATH; moves them to descriptors 3, 4 (and 5); sets
 *       LISTEN_FDS, LISTEN_FDNAMES=web:dns[:ctl] and LISTEN_PID to its own pid, which exec keeps (--wrong-pid sets
 *       it to 1 instead, as an inherited environment would look to a child); then execs PROGRAM.
 *
 *   ffsock-activate --inetd -- PROGRAM ARGS...
 *       inetd style: opens a TCP listener on 127.0.0.1, accepts one connection, makes it descriptor 0 and execs
 *       PROGRAM.
 *
 * Before exec it prints one line "ports tcp=N udp=N" (or "ports inetd=N") to stdout and flushes it, so the test
 * knows where to connect; what PROGRAM prints follows on the same stream. Only 127.0.0.1 and the given UNIX path
 * are ever bound. Exit status 2 on a usage or system error, with the reason on stderr.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "ffsock-activate: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int loopback_socket(int type, int *port) {
    int fd = socket(AF_INET, type, 0);
    if (fd < 0) {
        die("socket");
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
        die("bind 127.0.0.1:0");
    }
    if (type == SOCK_STREAM && listen(fd, 16) != 0) {
        die("listen");
    }
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *) &sa, &len) != 0) {
        die("getsockname");
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static int unix_listener(const char *path) {
    struct sockaddr_un sa;
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        die("--unix");
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        die("socket(AF_UNIX)");
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
        die("bind --unix");
    }
    if (listen(fd, 16) != 0) {
        die("listen --unix");
    }
    return fd;
}

/* Moves fd to number target, inheritable across exec (no FD_CLOEXEC). */
static void move_to(int fd, int target) {
    if (fd == target) {
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) != 0) {
            die("fcntl");
        }
        return;
    }
    if (dup2(fd, target) < 0) {
        die("dup2");
    }
    close(fd);
}

int main(int argc, char **argv) {
    int inetd = 0;
    int wrong_pid = 0;
    const char *unix_path = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--inetd") == 0) {
            inetd = 1;
        } else if (strcmp(argv[i], "--wrong-pid") == 0) {
            wrong_pid = 1;
        } else if (strcmp(argv[i], "--unix") == 0 && i + 1 < argc) {
            unix_path = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "usage: ffsock-activate [--inetd] [--wrong-pid] [--unix PATH] -- PROGRAM ARGS...\n");
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "ffsock-activate: no program to run\n");
        return 2;
    }

    if (inetd) {
        int port;
        int lfd = loopback_socket(SOCK_STREAM, &port);
        printf("ports inetd=%d\n", port);
        if (fflush(stdout) != 0) {
            die("stdout");
        }
        int c;
        do {
            c = accept(lfd, NULL, NULL);
        } while (c < 0 && errno == EINTR);
        if (c < 0) {
            die("accept");
        }
        close(lfd);
        move_to(c, 0);
    } else {
        /* Open everything first, then move into place: a fresh descriptor may itself be 3, 4 or 5. Moving to
         * numbers above any open one first keeps the dup2 calls from closing each other's sockets. */
        int tcp_port;
        int udp_port;
        int fds[3];
        int n = 0;
        fds[n++] = loopback_socket(SOCK_STREAM, &tcp_port);
        fds[n++] = loopback_socket(SOCK_DGRAM, &udp_port);
        if (unix_path != NULL) {
            fds[n++] = unix_listener(unix_path);
        }
        for (int k = 0; k < n; k++) {
            int high = fcntl(fds[k], F_DUPFD, 100 + k);
            if (high < 0) {
                die("fcntl(F_DUPFD)");
            }
            close(fds[k]);
            fds[k] = high;
        }
        for (int k = 0; k < n; k++) {
            move_to(fds[k], 3 + k);
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%d", n);
        setenv("LISTEN_FDS", buf, 1);
        snprintf(buf, sizeof buf, "%ld", wrong_pid ? 1L : (long) getpid());
        setenv("LISTEN_PID", buf, 1);
        setenv("LISTEN_FDNAMES", n == 3 ? "web:dns:ctl" : "web:dns", 1);
        printf("ports tcp=%d udp=%d\n", tcp_port, udp_port);
        if (fflush(stdout) != 0) {
            die("stdout");
        }
    }
    execvp(argv[i], &argv[i]);
    die("exec");
    return 2;
}

/*
 * The fact printer and its macros, for the probe's sources besides probe.c (which keeps its own copy): each
 * source file includes exactly the headers it needs, since some of them cannot share a translation unit
 * (<linux/tcp.h> and <netinet/tcp.h> both declare struct tcp_info).
 */
#ifndef FFSOCK_PROBE_FACTS_H
#define FFSOCK_PROBE_FACTS_H

#include <stdio.h>
#include <stddef.h>

static inline void probe_fact(const char *name, long long value) {
    printf("%s=%lld\n", name, value);
}

#define P_STRUCT_SIZE(s) probe_fact("sizeof." #s, (long long) sizeof(struct s))
#define P_STRUCT_ALIGN(s) probe_fact("alignof." #s, (long long) _Alignof(struct s))
#define P_FIELD(s, f)                                                                \
    do {                                                                             \
        probe_fact("offsetof." #s "." #f, (long long) offsetof(struct s, f));       \
        probe_fact("sizeof." #s "." #f, (long long) sizeof(((struct s *) 0)->f));   \
    } while (0)
#define P_CONST(n) probe_fact("const." #n, (long long) (n))

/* probe_fdctl.c: datagram, multicast, ancillary-data and option structs and constants. */
void fdctl_facts(void);
/* probe_tcpinfo.c: the kernel's struct tcp_info and its option bits. */
void tcp_info_facts(void);

#endif

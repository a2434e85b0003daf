/*
 * Facts for datagrams, multicast, ancillary data (SCM_RIGHTS), batches (mmsghdr), peer credentials and the option
 * structs: struct mmsghdr and struct ucred need _GNU_SOURCE, which probe.c does not define.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "probe_facts.h"

static void structs(void) {
    P_STRUCT_SIZE(msghdr);
    P_STRUCT_ALIGN(msghdr);
    P_FIELD(msghdr, msg_name);
    P_FIELD(msghdr, msg_namelen);
    P_FIELD(msghdr, msg_iov);
    P_FIELD(msghdr, msg_iovlen);
    P_FIELD(msghdr, msg_control);
    P_FIELD(msghdr, msg_controllen);
    P_FIELD(msghdr, msg_flags);

    P_STRUCT_SIZE(cmsghdr);
    P_STRUCT_ALIGN(cmsghdr);
    P_FIELD(cmsghdr, cmsg_len);
    P_FIELD(cmsghdr, cmsg_level);
    P_FIELD(cmsghdr, cmsg_type);

    P_STRUCT_SIZE(mmsghdr);
    P_STRUCT_ALIGN(mmsghdr);
    P_FIELD(mmsghdr, msg_hdr);
    P_FIELD(mmsghdr, msg_len);

    P_STRUCT_SIZE(ip_mreqn);
    P_STRUCT_ALIGN(ip_mreqn);
    P_FIELD(ip_mreqn, imr_multiaddr);
    P_FIELD(ip_mreqn, imr_address);
    P_FIELD(ip_mreqn, imr_ifindex);

    P_STRUCT_SIZE(ip_mreq_source);
    P_STRUCT_ALIGN(ip_mreq_source);
    P_FIELD(ip_mreq_source, imr_multiaddr);
    P_FIELD(ip_mreq_source, imr_interface);
    P_FIELD(ip_mreq_source, imr_sourceaddr);

    P_STRUCT_SIZE(ipv6_mreq);
    P_STRUCT_ALIGN(ipv6_mreq);
    P_FIELD(ipv6_mreq, ipv6mr_multiaddr);
    P_FIELD(ipv6_mreq, ipv6mr_interface);

    P_STRUCT_SIZE(group_source_req);
    P_STRUCT_ALIGN(group_source_req);
    P_FIELD(group_source_req, gsr_interface);
    P_FIELD(group_source_req, gsr_group);
    P_FIELD(group_source_req, gsr_source);

    P_STRUCT_SIZE(ucred);
    P_STRUCT_ALIGN(ucred);
    P_FIELD(ucred, pid);
    P_FIELD(ucred, uid);
    P_FIELD(ucred, gid);

    P_STRUCT_SIZE(linger);
    P_STRUCT_ALIGN(linger);
    P_FIELD(linger, l_onoff);
    P_FIELD(linger, l_linger);
}

/* The constants of the "datagrams, multicast and descriptor-level control" block of Net, in its order. */
static void net_constants(void) {
    P_CONST(IP_TOS);
    P_CONST(IP_TTL);
    P_CONST(IP_MTU);
    P_CONST(IP_MULTICAST_IF);
    P_CONST(IP_MULTICAST_TTL);
    P_CONST(IP_MULTICAST_LOOP);
    P_CONST(IP_ADD_MEMBERSHIP);
    P_CONST(IP_DROP_MEMBERSHIP);
    P_CONST(IP_ADD_SOURCE_MEMBERSHIP);
    P_CONST(IP_DROP_SOURCE_MEMBERSHIP);
    P_CONST(MCAST_JOIN_SOURCE_GROUP);
    P_CONST(MCAST_LEAVE_SOURCE_GROUP);

    P_CONST(IPV6_MULTICAST_IF);
    P_CONST(IPV6_MULTICAST_HOPS);
    P_CONST(IPV6_MULTICAST_LOOP);
    P_CONST(IPV6_JOIN_GROUP);
    P_CONST(IPV6_LEAVE_GROUP);
    P_CONST(IPV6_TCLASS);

    P_CONST(SO_BROADCAST);
    P_CONST(SO_OOBINLINE);
    P_CONST(SO_PEERCRED);
    P_CONST(SO_BINDTODEVICE);
    P_CONST(SO_PROTOCOL);
    P_CONST(SO_DOMAIN);

    P_CONST(TCP_CORK);
    P_CONST(TCP_KEEPIDLE);
    P_CONST(TCP_KEEPINTVL);
    P_CONST(TCP_KEEPCNT);
    P_CONST(TCP_INFO);
    P_CONST(TCP_QUICKACK);
    P_CONST(TCP_USER_TIMEOUT);
    P_CONST(TCP_FASTOPEN);

    P_CONST(TCP_ESTABLISHED);
    P_CONST(TCP_CLOSE);

    P_CONST(MSG_CTRUNC);
    P_CONST(MSG_TRUNC);
    P_CONST(MSG_WAITFORONE);
    P_CONST(MSG_FASTOPEN);
    P_CONST(MSG_CMSG_CLOEXEC);

    P_CONST(SCM_RIGHTS);

    P_CONST(SIOCATMARK);

    P_CONST(IFNAMSIZ);
}

/* The matching block of Errno. */
static void errno_constants(void) {
    P_CONST(ENXIO);
    P_CONST(ENOMEM);
    P_CONST(EBUSY);
    P_CONST(ENODEV);
    P_CONST(ENOTTY);
    P_CONST(EDESTADDRREQ);
    P_CONST(EMSGSIZE);
    P_CONST(EPROTONOSUPPORT);
    P_CONST(ENOBUFS);
}

void fdctl_facts(void) {
    structs();
    net_constants();
    errno_constants();
}

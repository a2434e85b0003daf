/*
 * The kernel's struct tcp_info, from <linux/tcp.h>: glibc's <netinet/tcp.h> declares an older, shorter copy of it
 * and cannot share this translation unit. Bit fields (tcpi_snd_wscale, tcpi_rcv_wscale, ...) have no offsetof and
 * are not printed.
 */
#include <linux/tcp.h>

#include "probe_facts.h"

void tcp_info_facts(void) {
    P_STRUCT_SIZE(tcp_info);
    P_STRUCT_ALIGN(tcp_info);
    P_FIELD(tcp_info, tcpi_state);
    P_FIELD(tcp_info, tcpi_ca_state);
    P_FIELD(tcp_info, tcpi_retransmits);
    P_FIELD(tcp_info, tcpi_probes);
    P_FIELD(tcp_info, tcpi_backoff);
    P_FIELD(tcp_info, tcpi_options);
    P_FIELD(tcp_info, tcpi_rto);
    P_FIELD(tcp_info, tcpi_ato);
    P_FIELD(tcp_info, tcpi_snd_mss);
    P_FIELD(tcp_info, tcpi_rcv_mss);
    P_FIELD(tcp_info, tcpi_unacked);
    P_FIELD(tcp_info, tcpi_sacked);
    P_FIELD(tcp_info, tcpi_lost);
    P_FIELD(tcp_info, tcpi_retrans);
    P_FIELD(tcp_info, tcpi_fackets);
    P_FIELD(tcp_info, tcpi_last_data_sent);
    P_FIELD(tcp_info, tcpi_last_ack_sent);
    P_FIELD(tcp_info, tcpi_last_data_recv);
    P_FIELD(tcp_info, tcpi_last_ack_recv);
    P_FIELD(tcp_info, tcpi_pmtu);
    P_FIELD(tcp_info, tcpi_rcv_ssthresh);
    P_FIELD(tcp_info, tcpi_rtt);
    P_FIELD(tcp_info, tcpi_rttvar);
    P_FIELD(tcp_info, tcpi_snd_ssthresh);
    P_FIELD(tcp_info, tcpi_snd_cwnd);
    P_FIELD(tcp_info, tcpi_advmss);
    P_FIELD(tcp_info, tcpi_reordering);
    P_FIELD(tcp_info, tcpi_rcv_rtt);
    P_FIELD(tcp_info, tcpi_rcv_space);
    P_FIELD(tcp_info, tcpi_total_retrans);
    P_FIELD(tcp_info, tcpi_pacing_rate);
    P_FIELD(tcp_info, tcpi_max_pacing_rate);
    P_FIELD(tcp_info, tcpi_bytes_acked);
    P_FIELD(tcp_info, tcpi_bytes_received);
    P_FIELD(tcp_info, tcpi_segs_out);
    P_FIELD(tcp_info, tcpi_segs_in);
    P_FIELD(tcp_info, tcpi_notsent_bytes);
    P_FIELD(tcp_info, tcpi_min_rtt);
    P_FIELD(tcp_info, tcpi_data_segs_in);
    P_FIELD(tcp_info, tcpi_data_segs_out);
    P_FIELD(tcp_info, tcpi_delivery_rate);
    P_FIELD(tcp_info, tcpi_busy_time);
    P_FIELD(tcp_info, tcpi_rwnd_limited);
    P_FIELD(tcp_info, tcpi_sndbuf_limited);
    P_FIELD(tcp_info, tcpi_delivered);
    P_FIELD(tcp_info, tcpi_delivered_ce);
    P_FIELD(tcp_info, tcpi_bytes_sent);
    P_FIELD(tcp_info, tcpi_bytes_retrans);
    P_FIELD(tcp_info, tcpi_dsack_dups);
    P_FIELD(tcp_info, tcpi_reord_seen);
    P_FIELD(tcp_info, tcpi_rcv_ooopack);
    P_FIELD(tcp_info, tcpi_snd_wnd);

    /* the tcpi_options bit Net declares */
    P_CONST(TCPI_OPT_SYN_DATA);
}

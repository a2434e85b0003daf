package io.ffsock.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct tcp_info} as the kernel's {@code linux/tcp.h} declares it (glibc's {@code netinet/tcp.h} copy stops
 * after {@code tcpi_total_retrans}), through {@code tcpi_snd_wnd} (Linux 5.4+):
 * <pre>
 *  0     1     2     3     4     5     6     7     8                                    104
 *  +-----+-----+-----+-----+-----+-----+-----+-----+------------------------------------+
 *  |state|ca_st|retr.|probe|backf|optns|wscl |flags| 24 x __u32: rto ... total_retrans  |
 *  +-----+-----+-----+-----+-----+-----+-----+-----+------------------------------------+
 *  104                             136                      160                  192
 *  +-------------------------------+------------------------+--------------------+
 *  | 4 x __u64: pacing_rate ...    | 6 x __u32: segs_out ...| 4 x __u64:         |
 *  |   bytes_acked, bytes_received |   data_segs_out        |  delivery_rate ... |
 *  +-------------------------------+------------------------+--------------------+
 *  192               200                    216                                  232
 *  +-----------------+----------------------+-------------------------------------+
 *  | delivered, _ce  | bytes_sent, _retrans | dsack_dups, reord_seen, rcv_ooopack, |
 *  | 2 x __u32       | 2 x __u64            | snd_wnd: 4 x __u32                  |
 *  +-----------------+----------------------+-------------------------------------+
 * </pre>
 * getsockopt(TCP_INFO) copies {@code min(optlen, what the kernel knows)} bytes and returns that count in optlen: an
 * older kernel fills a prefix, so a field is read only when it lies inside the reported length ({@link #has}).
 */
public final class TcpInfo {
    private TcpInfo() {}

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("tcpi_state"),
            ValueLayout.JAVA_BYTE.withName("tcpi_ca_state"),
            ValueLayout.JAVA_BYTE.withName("tcpi_retransmits"),
            ValueLayout.JAVA_BYTE.withName("tcpi_probes"),
            ValueLayout.JAVA_BYTE.withName("tcpi_backoff"),
            ValueLayout.JAVA_BYTE.withName("tcpi_options"),
            ValueLayout.JAVA_BYTE.withName("snd_rcv_wscale"), // bit fields: tcpi_snd_wscale:4, tcpi_rcv_wscale:4
            ValueLayout.JAVA_BYTE.withName("rate_flags"), // bit fields: tcpi_delivery_rate_app_limited:1, ...
            ValueLayout.JAVA_INT.withName("tcpi_rto"),
            ValueLayout.JAVA_INT.withName("tcpi_ato"),
            ValueLayout.JAVA_INT.withName("tcpi_snd_mss"),
            ValueLayout.JAVA_INT.withName("tcpi_rcv_mss"),
            ValueLayout.JAVA_INT.withName("tcpi_unacked"),
            ValueLayout.JAVA_INT.withName("tcpi_sacked"),
            ValueLayout.JAVA_INT.withName("tcpi_lost"),
            ValueLayout.JAVA_INT.withName("tcpi_retrans"),
            ValueLayout.JAVA_INT.withName("tcpi_fackets"),
            ValueLayout.JAVA_INT.withName("tcpi_last_data_sent"),
            ValueLayout.JAVA_INT.withName("tcpi_last_ack_sent"),
            ValueLayout.JAVA_INT.withName("tcpi_last_data_recv"),
            ValueLayout.JAVA_INT.withName("tcpi_last_ack_recv"),
            ValueLayout.JAVA_INT.withName("tcpi_pmtu"),
            ValueLayout.JAVA_INT.withName("tcpi_rcv_ssthresh"),
            ValueLayout.JAVA_INT.withName("tcpi_rtt"),
            ValueLayout.JAVA_INT.withName("tcpi_rttvar"),
            ValueLayout.JAVA_INT.withName("tcpi_snd_ssthresh"),
            ValueLayout.JAVA_INT.withName("tcpi_snd_cwnd"),
            ValueLayout.JAVA_INT.withName("tcpi_advmss"),
            ValueLayout.JAVA_INT.withName("tcpi_reordering"),
            ValueLayout.JAVA_INT.withName("tcpi_rcv_rtt"),
            ValueLayout.JAVA_INT.withName("tcpi_rcv_space"),
            ValueLayout.JAVA_INT.withName("tcpi_total_retrans"),
            ValueLayout.JAVA_LONG.withName("tcpi_pacing_rate"),
            ValueLayout.JAVA_LONG.withName("tcpi_max_pacing_rate"),
            ValueLayout.JAVA_LONG.withName("tcpi_bytes_acked"),
            ValueLayout.JAVA_LONG.withName("tcpi_bytes_received"),
            ValueLayout.JAVA_INT.withName("tcpi_segs_out"),
            ValueLayout.JAVA_INT.withName("tcpi_segs_in"),
            ValueLayout.JAVA_INT.withName("tcpi_notsent_bytes"),
            ValueLayout.JAVA_INT.withName("tcpi_min_rtt"),
            ValueLayout.JAVA_INT.withName("tcpi_data_segs_in"),
            ValueLayout.JAVA_INT.withName("tcpi_data_segs_out"),
            ValueLayout.JAVA_LONG.withName("tcpi_delivery_rate"),
            ValueLayout.JAVA_LONG.withName("tcpi_busy_time"),
            ValueLayout.JAVA_LONG.withName("tcpi_rwnd_limited"),
            ValueLayout.JAVA_LONG.withName("tcpi_sndbuf_limited"),
            ValueLayout.JAVA_INT.withName("tcpi_delivered"),
            ValueLayout.JAVA_INT.withName("tcpi_delivered_ce"),
            ValueLayout.JAVA_LONG.withName("tcpi_bytes_sent"),
            ValueLayout.JAVA_LONG.withName("tcpi_bytes_retrans"),
            ValueLayout.JAVA_INT.withName("tcpi_dsack_dups"),
            ValueLayout.JAVA_INT.withName("tcpi_reord_seen"),
            ValueLayout.JAVA_INT.withName("tcpi_rcv_ooopack"),
            ValueLayout.JAVA_INT.withName("tcpi_snd_wnd")).withName("tcp_info");

    public static final long OFFSET_STATE = LAYOUT.byteOffset(groupElement("tcpi_state"));
    public static final long OFFSET_CA_STATE = LAYOUT.byteOffset(groupElement("tcpi_ca_state"));
    public static final long OFFSET_RETRANSMITS = LAYOUT.byteOffset(groupElement("tcpi_retransmits"));
    public static final long OFFSET_PROBES = LAYOUT.byteOffset(groupElement("tcpi_probes"));
    public static final long OFFSET_BACKOFF = LAYOUT.byteOffset(groupElement("tcpi_backoff"));
    public static final long OFFSET_OPTIONS = LAYOUT.byteOffset(groupElement("tcpi_options"));
    public static final long OFFSET_RTO = LAYOUT.byteOffset(groupElement("tcpi_rto"));
    public static final long OFFSET_ATO = LAYOUT.byteOffset(groupElement("tcpi_ato"));
    public static final long OFFSET_SND_MSS = LAYOUT.byteOffset(groupElement("tcpi_snd_mss"));
    public static final long OFFSET_RCV_MSS = LAYOUT.byteOffset(groupElement("tcpi_rcv_mss"));
    public static final long OFFSET_UNACKED = LAYOUT.byteOffset(groupElement("tcpi_unacked"));
    public static final long OFFSET_SACKED = LAYOUT.byteOffset(groupElement("tcpi_sacked"));
    public static final long OFFSET_LOST = LAYOUT.byteOffset(groupElement("tcpi_lost"));
    public static final long OFFSET_RETRANS = LAYOUT.byteOffset(groupElement("tcpi_retrans"));
    public static final long OFFSET_FACKETS = LAYOUT.byteOffset(groupElement("tcpi_fackets"));
    public static final long OFFSET_LAST_DATA_SENT = LAYOUT.byteOffset(groupElement("tcpi_last_data_sent"));
    public static final long OFFSET_LAST_ACK_SENT = LAYOUT.byteOffset(groupElement("tcpi_last_ack_sent"));
    public static final long OFFSET_LAST_DATA_RECV = LAYOUT.byteOffset(groupElement("tcpi_last_data_recv"));
    public static final long OFFSET_LAST_ACK_RECV = LAYOUT.byteOffset(groupElement("tcpi_last_ack_recv"));
    public static final long OFFSET_PMTU = LAYOUT.byteOffset(groupElement("tcpi_pmtu"));
    public static final long OFFSET_RCV_SSTHRESH = LAYOUT.byteOffset(groupElement("tcpi_rcv_ssthresh"));
    public static final long OFFSET_RTT = LAYOUT.byteOffset(groupElement("tcpi_rtt"));
    public static final long OFFSET_RTTVAR = LAYOUT.byteOffset(groupElement("tcpi_rttvar"));
    public static final long OFFSET_SND_SSTHRESH = LAYOUT.byteOffset(groupElement("tcpi_snd_ssthresh"));
    public static final long OFFSET_SND_CWND = LAYOUT.byteOffset(groupElement("tcpi_snd_cwnd"));
    public static final long OFFSET_ADVMSS = LAYOUT.byteOffset(groupElement("tcpi_advmss"));
    public static final long OFFSET_REORDERING = LAYOUT.byteOffset(groupElement("tcpi_reordering"));
    public static final long OFFSET_RCV_RTT = LAYOUT.byteOffset(groupElement("tcpi_rcv_rtt"));
    public static final long OFFSET_RCV_SPACE = LAYOUT.byteOffset(groupElement("tcpi_rcv_space"));
    public static final long OFFSET_TOTAL_RETRANS = LAYOUT.byteOffset(groupElement("tcpi_total_retrans"));
    public static final long OFFSET_PACING_RATE = LAYOUT.byteOffset(groupElement("tcpi_pacing_rate"));
    public static final long OFFSET_MAX_PACING_RATE = LAYOUT.byteOffset(groupElement("tcpi_max_pacing_rate"));
    public static final long OFFSET_BYTES_ACKED = LAYOUT.byteOffset(groupElement("tcpi_bytes_acked"));
    public static final long OFFSET_BYTES_RECEIVED = LAYOUT.byteOffset(groupElement("tcpi_bytes_received"));
    public static final long OFFSET_SEGS_OUT = LAYOUT.byteOffset(groupElement("tcpi_segs_out"));
    public static final long OFFSET_SEGS_IN = LAYOUT.byteOffset(groupElement("tcpi_segs_in"));
    public static final long OFFSET_NOTSENT_BYTES = LAYOUT.byteOffset(groupElement("tcpi_notsent_bytes"));
    public static final long OFFSET_MIN_RTT = LAYOUT.byteOffset(groupElement("tcpi_min_rtt"));
    public static final long OFFSET_DATA_SEGS_IN = LAYOUT.byteOffset(groupElement("tcpi_data_segs_in"));
    public static final long OFFSET_DATA_SEGS_OUT = LAYOUT.byteOffset(groupElement("tcpi_data_segs_out"));
    public static final long OFFSET_DELIVERY_RATE = LAYOUT.byteOffset(groupElement("tcpi_delivery_rate"));
    public static final long OFFSET_BUSY_TIME = LAYOUT.byteOffset(groupElement("tcpi_busy_time"));
    public static final long OFFSET_RWND_LIMITED = LAYOUT.byteOffset(groupElement("tcpi_rwnd_limited"));
    public static final long OFFSET_SNDBUF_LIMITED = LAYOUT.byteOffset(groupElement("tcpi_sndbuf_limited"));
    public static final long OFFSET_DELIVERED = LAYOUT.byteOffset(groupElement("tcpi_delivered"));
    public static final long OFFSET_DELIVERED_CE = LAYOUT.byteOffset(groupElement("tcpi_delivered_ce"));
    public static final long OFFSET_BYTES_SENT = LAYOUT.byteOffset(groupElement("tcpi_bytes_sent"));
    public static final long OFFSET_BYTES_RETRANS = LAYOUT.byteOffset(groupElement("tcpi_bytes_retrans"));
    public static final long OFFSET_DSACK_DUPS = LAYOUT.byteOffset(groupElement("tcpi_dsack_dups"));
    public static final long OFFSET_REORD_SEEN = LAYOUT.byteOffset(groupElement("tcpi_reord_seen"));
    public static final long OFFSET_RCV_OOOPACK = LAYOUT.byteOffset(groupElement("tcpi_rcv_ooopack"));
    public static final long OFFSET_SND_WND = LAYOUT.byteOffset(groupElement("tcpi_snd_wnd"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** Whether a field of {@code width} bytes at {@code offset} lies within the {@code len} bytes returned. */
    public static boolean has(long offset, int width, int len) {
        return offset + width <= len;
    }

    /** An unsigned byte field. */
    public static int u8(MemorySegment m, long offset) {
        return Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, offset));
    }

    /** A {@code __u32} field, or -1 when it lies beyond {@code len}. */
    public static long u32(MemorySegment m, long offset, int len) {
        return has(offset, 4, len) ? Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT, offset)) : -1;
    }

    /** A {@code __u64} field (values past 2^63 read negative, as they never occur), or -1 beyond {@code len}. */
    public static long u64(MemorySegment m, long offset, int len) {
        return has(offset, 8, len) ? m.get(ValueLayout.JAVA_LONG, offset) : -1;
    }
}

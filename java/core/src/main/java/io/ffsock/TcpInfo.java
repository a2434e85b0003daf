package io.ffsock;

/**
 * The kernel's view of a TCP connection: {@code getsockopt(TCP_INFO)}, {@code struct tcp_info} of linux/tcp.h.
 * Times are in microseconds unless named otherwise; counts are of segments unless they say bytes. A field the
 * running kernel did not report (it predates the field) is -1.
 *
 * @param state          the TCP state, 1 (ESTABLISHED) to 12; see {@link #stateName()}
 * @param caState        the congestion-avoidance state (0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss)
 * @param retransmits    retransmissions of the current unacknowledged segment
 * @param probes         unanswered zero-window or keepalive probes
 * @param backoff        exponential backoff of the retransmission timer
 * @param options        TCPI_OPT_* bits: 1 timestamps, 2 SACK, 4 window scaling, 8 ECN, 16 ECN seen, 32 SYN data
 *                       (TCP Fast Open data in the SYN was acknowledged)
 * @param sndWscale      the send window scale
 * @param rcvWscale      the receive window scale
 * @param rto            the retransmission timeout
 * @param ato            the delayed-ACK timeout
 * @param sndMss         the sending maximum segment size, bytes
 * @param rcvMss         the receiving MSS estimate, bytes
 * @param unacked        segments sent and not yet acknowledged
 * @param sacked         segments selectively acknowledged
 * @param lost           segments considered lost
 * @param retrans        segments retransmitted and not yet acknowledged
 * @param lastDataSent   milliseconds since data was last sent
 * @param lastDataRecv   milliseconds since data was last received
 * @param lastAckRecv    milliseconds since an ACK was last received
 * @param pmtu           the path MTU, bytes
 * @param rcvSsthresh    the receive slow-start threshold
 * @param rtt            the smoothed round-trip time
 * @param rttvar         the round-trip time's mean deviation
 * @param sndSsthresh    the send slow-start threshold, segments
 * @param sndCwnd        the congestion window, segments
 * @param advmss         the advertised MSS, bytes
 * @param reordering     the reordering metric
 * @param rcvRtt         the receiver's round-trip time estimate
 * @param rcvSpace       the receive buffer space the kernel is tuning for, bytes
 * @param totalRetrans   retransmissions over the connection's life
 * @param pacingRate     the pacing rate, bytes per second
 * @param bytesAcked     bytes of this side's data the peer acknowledged
 * @param bytesReceived  bytes received in order
 * @param segsOut        segments sent
 * @param segsIn         segments received
 * @param notsentBytes   bytes written but not yet sent
 * @param minRtt         the minimum RTT seen
 * @param dataSegsOut    segments with data sent
 * @param dataSegsIn     segments with data received
 * @param deliveryRate   the recent delivery rate, bytes per second
 * @param bytesSent      bytes sent, retransmissions included
 * @param bytesRetrans   bytes retransmitted
 * @param sndWnd         the peer's advertised receive window, bytes
 * @param length         how many bytes of {@code struct tcp_info} the kernel reported
 */
public record TcpInfo(int state, int caState, int retransmits, int probes, int backoff, int options, int sndWscale,
                      int rcvWscale, long rto, long ato, long sndMss, long rcvMss, long unacked, long sacked,
                      long lost, long retrans, long lastDataSent, long lastDataRecv, long lastAckRecv, long pmtu,
                      long rcvSsthresh, long rtt, long rttvar, long sndSsthresh, long sndCwnd, long advmss,
                      long reordering, long rcvRtt, long rcvSpace, long totalRetrans, long pacingRate,
                      long bytesAcked, long bytesReceived, long segsOut, long segsIn, long notsentBytes, long minRtt,
                      long dataSegsOut, long dataSegsIn, long deliveryRate, long bytesSent, long bytesRetrans,
                      long sndWnd, int length) {

    private static final String[] STATES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** The state's name as netstat and ss print it ({@code "ESTABLISHED"}, {@code "LISTEN"}, ...). */
    public String stateName() {
        return state >= 0 && state < STATES.length ? STATES[state] : "UNKNOWN";
    }

    /** Whether the SYN's data was acknowledged: this connection used TCP Fast Open. */
    public boolean synData() {
        return (options & 32) != 0;
    }
}

package io.ffsock.bench.report;

import io.ffsock.bench.Transport;
import io.ffsock.bench.contenders.Contender;

import java.util.ArrayList;
import java.util.List;

/**
 * One row group of the bench report: what is measured, over which transport, by whom, and which contender the
 * ratios are taken against.
 *
 * @param kind      round trips, a stream of frames, or a downcall that returns EAGAIN
 * @param size      the payload size in bytes
 * @param reference the ffsock contender every ratio of the group is relative to
 */
record Scenario(String id, String title, Kind kind, int size, Transport transport, Contender reference,
                List<Contender> contenders) {

    /** What one operation is, and how a person reads its figure. */
    enum Kind {
        /** One round trip through the echo service: µs per round trip. */
        RTT,
        /** One frame into the sink, many per batch: messages per second. */
        STREAM,
        /** One frame of a large payload into the sink: GB/s. */
        BULK,
        /** One non-blocking recv(2) on an idle socket that returns EAGAIN: ns per call. */
        DOWNCALL
    }

    /** The figure a person reads, from nanoseconds per operation. */
    double value(double nsPerOp) {
        return switch (kind) {
            case RTT -> nsPerOp / 1e3;
            case STREAM -> 1e9 / nsPerOp;
            case BULK -> (size + 4) / nsPerOp; // bytes per ns = GB/s
            case DOWNCALL -> nsPerOp;
        };
    }

    /** The unit of {@link #value(double)}. */
    String unit() {
        return switch (kind) {
            case RTT -> "us/round trip";
            case STREAM -> "msgs/s";
            case BULK -> "GB/s";
            case DOWNCALL -> "ns/call";
        };
    }

    static String sizeLabel(int size) {
        return size >= 1024 ? (size / 1024) + " KiB" : size + " B";
    }

    /** Every scenario of the report, in the order it prints them. */
    static List<Scenario> all() {
        List<Scenario> s = new ArrayList<>();
        List<Contender> rtt = List.of(Contender.C, Contender.FFSOCK, Contender.FFSOCK_BYTEBUFFER,
                Contender.FFSOCK_BYTES, Contender.FFSOCK_FRAMED, Contender.JNI, Contender.NIO, Contender.JAVA_NET,
                Contender.JNR);
        for (int size : new int[] {64, 1024, 65536}) {
            for (Transport t : Transport.values()) {
                s.add(new Scenario("rtt-" + size + "-" + t.name().toLowerCase(),
                        sizeLabel(size) + " round trip, " + t.label(), Kind.RTT, size, t, Contender.FFSOCK,
                        supported(rtt, t)));
            }
        }
        List<Contender> stream = List.of(Contender.C, Contender.FFSOCK_FRAMED, Contender.FFSOCK, Contender.JNI,
                Contender.NIO, Contender.JAVA_NET, Contender.JNR);
        for (Transport t : Transport.values()) {
            s.add(new Scenario("stream-64-" + t.name().toLowerCase(), "streaming 64 B frames, " + t.label(),
                    Kind.STREAM, 64, t, Contender.FFSOCK_FRAMED, supported(stream, t)));
        }
        List<Contender> bulk = List.of(Contender.C, Contender.FFSOCK, Contender.FFSOCK_BYTEBUFFER,
                Contender.FFSOCK_FRAMED, Contender.JNI, Contender.NIO, Contender.JAVA_NET, Contender.JNR);
        for (Transport t : Transport.values()) {
            s.add(new Scenario("bulk-64k-" + t.name().toLowerCase(), "bulk 64 KiB writes, " + t.label(),
                    Kind.BULK, 65536, t, Contender.FFSOCK, supported(bulk, t)));
        }
        s.add(new Scenario("downcall-eagain", "one recv(2) returning EAGAIN (the downcall itself)", Kind.DOWNCALL,
                64, Transport.UNIX, Contender.FFSOCK, List.of(Contender.C, Contender.FFSOCK, Contender.JNI)));
        return s;
    }

    private static List<Contender> supported(List<Contender> cs, Transport t) {
        return cs.stream().filter(c -> c.supports(t)).toList();
    }
}

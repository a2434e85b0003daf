package io.ffsock.internal.sys;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the struct layouts and constants declared by hand in {@code io.ffsock.internal.sys} against the C headers
 * of the machine the tests run on, as printed by {@code native/probe} (built by CMake in the tests module's
 * {@code generate-test-resources} phase; its path arrives as the system property {@code ffsock.probe}).
 * <p>
 * The check runs both ways: every fact the probe prints must have a Java counterpart with the same value, and every
 * Java struct member listed here and every public constant of {@link Net}, {@link Errno} and {@link Epoll} must have a
 * probe line.
 * A constant added to Java without a line in {@code probe.c} therefore fails the test instead of going unchecked.
 */
class StructLayoutTest {

    /** System property carrying the path of the ffsock-probe executable. */
    static final String PROBE_PROPERTY = "ffsock.probe";

    private static final Pattern LINE = Pattern.compile("((?:sizeof|alignof|offsetof|const)\\.[A-Za-z0-9_.]+)=(-?\\d+)");
    private static final Class<?>[] CONSTANT_CLASSES = {Net.class, Errno.class, Epoll.class};

    /** The probe's facts, by name, in the order it printed them. */
    private static Map<String, Long> probe;

    @BeforeAll
    static void runProbe() throws IOException, InterruptedException {
        String property = System.getProperty(PROBE_PROPERTY);
        if (property == null || property.isBlank()) {
            fail("System property " + PROBE_PROPERTY + " is not set. It names the native/probe executable, which the"
                    + " tests module builds with CMake (a hard build requirement) before its tests run: run the tests"
                    + " through Maven (mvn -pl java/core,tests -am verify), or pass -D" + PROBE_PROPERTY
                    + "=/path/to/ffsock-probe.");
        }
        Path exe = Path.of(property);
        if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
            fail(PROBE_PROPERTY + "=" + exe + " is not an executable file: CMake did not build native/probe. CMake 3.20+"
                    + " and a C compiler are required; see the cmake-configure and cmake-build output of the tests"
                    + " module.");
        }
        Process p = new ProcessBuilder(exe.toString()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(exe + " did not exit within 30 s");
        }
        if (p.exitValue() != 0) {
            fail(exe + " exited with status " + p.exitValue() + "; stderr:\n" + err);
        }
        probe = parse(out);
    }

    /** Parses {@code name=value} lines; anything else is an error, so a probe bug cannot hide a fact. */
    private static Map<String, Long> parse(String out) {
        Map<String, Long> facts = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        int n = 0;
        for (String line : out.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                bad.add("line " + n + " is not name=value: \"" + line + "\"");
            } else if (facts.put(m.group(1), Long.parseLong(m.group(2))) != null) {
                bad.add("line " + n + " repeats " + m.group(1));
            }
        }
        if (!bad.isEmpty()) {
            fail("ffsock-probe printed malformed output:\n  " + String.join("\n  ", bad));
        }
        if (facts.isEmpty()) {
            fail("ffsock-probe printed nothing");
        }
        return facts;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // structs

    /** One value the Java side holds for a fact, and where it comes from (for the failure message). */
    private record JavaValue(String source, long value) {}

    /** A C struct member: its name, which is also the name of the Java layout's element, and its OFFSET_ constant. */
    private record Member(String name, String constant, long offset) {}

    private static Member member(String name, String constant, long offset) {
        return new Member(name, constant, offset);
    }

    /**
     * What the Java side declares for each struct, keyed like the probe's lines: the size (LAYOUT and SIZE), and
     * for each member its offset (OFFSET_ constant and the layout's element) and its size (the layout's element).
     */
    private static Map<String, List<JavaValue>> javaLayoutFacts() {
        Map<String, List<JavaValue>> facts = new TreeMap<>();
        struct(facts, "SockaddrIn", SockaddrIn.LAYOUT, SockaddrIn.SIZE,
                member("sin_family", "OFFSET_FAMILY", SockaddrIn.OFFSET_FAMILY),
                member("sin_port", "OFFSET_PORT", SockaddrIn.OFFSET_PORT),
                member("sin_addr", "OFFSET_ADDR", SockaddrIn.OFFSET_ADDR));
        struct(facts, "SockaddrIn6", SockaddrIn6.LAYOUT, SockaddrIn6.SIZE,
                member("sin6_family", "OFFSET_FAMILY", SockaddrIn6.OFFSET_FAMILY),
                member("sin6_port", "OFFSET_PORT", SockaddrIn6.OFFSET_PORT),
                member("sin6_flowinfo", "OFFSET_FLOWINFO", SockaddrIn6.OFFSET_FLOWINFO),
                member("sin6_addr", "OFFSET_ADDR", SockaddrIn6.OFFSET_ADDR),
                member("sin6_scope_id", "OFFSET_SCOPE_ID", SockaddrIn6.OFFSET_SCOPE_ID));
        struct(facts, "SockaddrUn", SockaddrUn.LAYOUT, SockaddrUn.SIZE,
                member("sun_family", "OFFSET_FAMILY", SockaddrUn.OFFSET_FAMILY),
                member("sun_path", "OFFSET_PATH", SockaddrUn.OFFSET_PATH));
        add(facts, "sizeof.sockaddr_un.sun_path", "SockaddrUn.PATH_CAPACITY", SockaddrUn.PATH_CAPACITY);
        struct(facts, "SockaddrStorage", SockaddrStorage.LAYOUT, SockaddrStorage.SIZE,
                member("ss_family", "OFFSET_FAMILY", SockaddrStorage.OFFSET_FAMILY));
        struct(facts, "Addrinfo", Addrinfo.LAYOUT, Addrinfo.SIZE,
                member("ai_flags", "OFFSET_FLAGS", Addrinfo.OFFSET_FLAGS),
                member("ai_family", "OFFSET_FAMILY", Addrinfo.OFFSET_FAMILY),
                member("ai_socktype", "OFFSET_SOCKTYPE", Addrinfo.OFFSET_SOCKTYPE),
                member("ai_protocol", "OFFSET_PROTOCOL", Addrinfo.OFFSET_PROTOCOL),
                member("ai_addrlen", "OFFSET_ADDRLEN", Addrinfo.OFFSET_ADDRLEN),
                member("ai_addr", "OFFSET_ADDR", Addrinfo.OFFSET_ADDR),
                member("ai_canonname", "OFFSET_CANONNAME", Addrinfo.OFFSET_CANONNAME),
                member("ai_next", "OFFSET_NEXT", Addrinfo.OFFSET_NEXT));
        struct(facts, "PollFd", PollFd.LAYOUT, PollFd.SIZE,
                member("fd", "OFFSET_FD", PollFd.OFFSET_FD),
                member("events", "OFFSET_EVENTS", PollFd.OFFSET_EVENTS),
                member("revents", "OFFSET_REVENTS", PollFd.OFFSET_REVENTS));
        struct(facts, "Iovec", Iovec.LAYOUT, Iovec.SIZE,
                member("iov_base", "OFFSET_BASE", Iovec.OFFSET_BASE),
                member("iov_len", "OFFSET_LEN", Iovec.OFFSET_LEN));
        // the event loop's structs
        struct(facts, "EpollEvent", EpollEvent.LAYOUT, EpollEvent.SIZE,
                member("events", "OFFSET_EVENTS", EpollEvent.OFFSET_EVENTS),
                member("data", "OFFSET_DATA", EpollEvent.OFFSET_DATA));
        struct(facts, "Rlimit", Rlimit.LAYOUT, Rlimit.SIZE,
                member("rlim_cur", "OFFSET_CUR", Rlimit.OFFSET_CUR),
                member("rlim_max", "OFFSET_MAX", Rlimit.OFFSET_MAX));
        fdControlStructs(facts);
        return facts;
    }

    /** The structs of datagrams, multicast, ancillary data, batches and options (native/probe/probe_fdctl.c). */
    private static void fdControlStructs(Map<String, List<JavaValue>> facts) {
        struct(facts, "Msghdr", Msghdr.LAYOUT, Msghdr.SIZE,
                member("msg_name", "OFFSET_NAME", Msghdr.OFFSET_NAME),
                member("msg_namelen", "OFFSET_NAMELEN", Msghdr.OFFSET_NAMELEN),
                member("msg_iov", "OFFSET_IOV", Msghdr.OFFSET_IOV),
                member("msg_iovlen", "OFFSET_IOVLEN", Msghdr.OFFSET_IOVLEN),
                member("msg_control", "OFFSET_CONTROL", Msghdr.OFFSET_CONTROL),
                member("msg_controllen", "OFFSET_CONTROLLEN", Msghdr.OFFSET_CONTROLLEN),
                member("msg_flags", "OFFSET_FLAGS", Msghdr.OFFSET_FLAGS));
        struct(facts, "Cmsghdr", Cmsghdr.LAYOUT, Cmsghdr.SIZE,
                member("cmsg_len", "OFFSET_LEN", Cmsghdr.OFFSET_LEN),
                member("cmsg_level", "OFFSET_LEVEL", Cmsghdr.OFFSET_LEVEL),
                member("cmsg_type", "OFFSET_TYPE", Cmsghdr.OFFSET_TYPE));
        struct(facts, "Mmsghdr", Mmsghdr.LAYOUT, Mmsghdr.SIZE,
                member("msg_hdr", "OFFSET_HDR", Mmsghdr.OFFSET_HDR),
                member("msg_len", "OFFSET_LEN", Mmsghdr.OFFSET_LEN));
        struct(facts, "IpMreqn", IpMreqn.LAYOUT, IpMreqn.SIZE,
                member("imr_multiaddr", "OFFSET_MULTIADDR", IpMreqn.OFFSET_MULTIADDR),
                member("imr_address", "OFFSET_ADDRESS", IpMreqn.OFFSET_ADDRESS),
                member("imr_ifindex", "OFFSET_IFINDEX", IpMreqn.OFFSET_IFINDEX));
        struct(facts, "IpMreqSource", IpMreqSource.LAYOUT, IpMreqSource.SIZE,
                member("imr_multiaddr", "OFFSET_MULTIADDR", IpMreqSource.OFFSET_MULTIADDR),
                member("imr_interface", "OFFSET_INTERFACE", IpMreqSource.OFFSET_INTERFACE),
                member("imr_sourceaddr", "OFFSET_SOURCEADDR", IpMreqSource.OFFSET_SOURCEADDR));
        struct(facts, "Ipv6Mreq", Ipv6Mreq.LAYOUT, Ipv6Mreq.SIZE,
                member("ipv6mr_multiaddr", "OFFSET_MULTIADDR", Ipv6Mreq.OFFSET_MULTIADDR),
                member("ipv6mr_interface", "OFFSET_INTERFACE", Ipv6Mreq.OFFSET_INTERFACE));
        struct(facts, "GroupSourceReq", GroupSourceReq.LAYOUT, GroupSourceReq.SIZE,
                member("gsr_interface", "OFFSET_INTERFACE", GroupSourceReq.OFFSET_INTERFACE),
                member("gsr_group", "OFFSET_GROUP", GroupSourceReq.OFFSET_GROUP),
                member("gsr_source", "OFFSET_SOURCE", GroupSourceReq.OFFSET_SOURCE));
        struct(facts, "Ucred", Ucred.LAYOUT, Ucred.SIZE,
                member("pid", "OFFSET_PID", Ucred.OFFSET_PID),
                member("uid", "OFFSET_UID", Ucred.OFFSET_UID),
                member("gid", "OFFSET_GID", Ucred.OFFSET_GID));
        struct(facts, "Linger", Linger.LAYOUT, Linger.SIZE,
                member("l_onoff", "OFFSET_ONOFF", Linger.OFFSET_ONOFF),
                member("l_linger", "OFFSET_LINGER", Linger.OFFSET_LINGER));
        // the kernel's struct tcp_info (native/probe/probe_tcpinfo.c): every member but the bit fields
        List<Member> tcp = new ArrayList<>();
        for (java.lang.reflect.Field f : TcpInfo.class.getFields()) {
            if (f.getName().startsWith("OFFSET_")) {
                try {
                    tcp.add(member("tcpi_" + f.getName().substring("OFFSET_".length()).toLowerCase(java.util.Locale.ROOT),
                            f.getName(), f.getLong(null)));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        struct(facts, "TcpInfo", TcpInfo.LAYOUT, TcpInfo.SIZE, tcp.toArray(new Member[0]));
    }

    /** Adds the facts of one struct; its C name is the name the Java layout carries ({@code withName}). */
    private static void struct(Map<String, List<JavaValue>> facts, String javaClass, StructLayout layout, int size,
                               Member... members) {
        String c = layout.name().orElseThrow(() -> new AssertionError(javaClass + ".LAYOUT has no name"));
        add(facts, "sizeof." + c, javaClass + ".LAYOUT.byteSize()", layout.byteSize());
        add(facts, "sizeof." + c, javaClass + ".SIZE", size);
        // a segment allocated from the layout must be as aligned as C expects the struct to be
        add(facts, "alignof." + c, javaClass + ".LAYOUT.byteAlignment()", layout.byteAlignment());
        for (Member m : members) {
            String key = c + "." + m.name();
            add(facts, "offsetof." + key, javaClass + "." + m.constant(), m.offset());
            MemoryLayout element;
            try {
                element = layout.select(groupElement(m.name()));
            } catch (IllegalArgumentException e) {
                // no element of that name: report it as a mismatch on both facts rather than stop here
                add(facts, "offsetof." + key, javaClass + ".LAYOUT has no element " + m.name(), -1);
                add(facts, "sizeof." + key, javaClass + ".LAYOUT has no element " + m.name(), -1);
                continue;
            }
            add(facts, "offsetof." + key, javaClass + ".LAYOUT " + m.name() + " offset",
                    layout.byteOffset(groupElement(m.name())));
            add(facts, "sizeof." + key, javaClass + ".LAYOUT " + m.name() + " size", element.byteSize());
        }
    }

    private static void add(Map<String, List<JavaValue>> facts, String key, String source, long value) {
        facts.computeIfAbsent(key, k -> new ArrayList<>()).add(new JavaValue(source, value));
    }

    @Test
    void structLayoutsMatchTheCHeaders() {
        Map<String, List<JavaValue>> java = javaLayoutFacts();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<JavaValue>> e : java.entrySet()) {
            Long c = probe.get(e.getKey());
            if (c == null) {
                problems.add(e.getKey() + ": not printed by native/probe/probe.c; add it there");
                continue;
            }
            for (JavaValue v : e.getValue()) {
                if (v.value() != c) {
                    problems.add(e.getKey() + ": C says " + c + ", " + v.source() + " is " + v.value());
                }
            }
        }
        for (String key : probe.keySet()) {
            if (!key.startsWith("const.") && !java.containsKey(key)) {
                problems.add(key + ": printed by the probe but not checked against Java; add it to " + getClass()
                        .getSimpleName() + ".javaLayoutFacts()");
            }
        }
        if (!problems.isEmpty()) {
            fail("Java struct layouts disagree with the C headers:\n  " + String.join("\n  ", problems));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // constants

    /** Every public static final field of {@link Net} and {@link Errno}, by name; all must be integral. */
    private static Map<String, JavaValue> javaConstants(List<String> problems) throws IllegalAccessException {
        Map<String, JavaValue> constants = new TreeMap<>();
        for (Class<?> cls : CONSTANT_CLASSES) {
            for (Field f : cls.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isPublic(mod) || !Modifier.isStatic(mod) || !Modifier.isFinal(mod)) {
                    continue;
                }
                String source = cls.getSimpleName() + "." + f.getName();
                Class<?> t = f.getType();
                if (t != int.class && t != short.class && t != long.class && t != byte.class) {
                    problems.add(source + ": a public constant of type " + t.getName() + " cannot be checked against"
                            + " C; make it an integral type or not public");
                    continue;
                }
                JavaValue v = new JavaValue(source, ((Number) f.get(null)).longValue());
                JavaValue prev = constants.put(f.getName(), v);
                if (prev != null) {
                    problems.add(f.getName() + ": declared twice, as " + prev.source() + " and " + source);
                }
            }
        }
        return constants;
    }

    private static List<String> constantClassNames() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : CONSTANT_CLASSES) {
            names.add(c.getSimpleName());
        }
        return names;
    }

    @Test
    void constantsMatchTheCHeaders() throws IllegalAccessException {
        List<String> problems = new ArrayList<>();
        Map<String, JavaValue> java = javaConstants(problems);
        if (java.isEmpty()) {
            problems.add("found no public constants in Net and Errno by reflection");
        }
        for (Map.Entry<String, JavaValue> e : java.entrySet()) {
            Long c = probe.get("const." + e.getKey());
            JavaValue v = e.getValue();
            if (c == null) {
                problems.add(v.source() + " (" + v.value() + "): not printed by native/probe/probe.c; add"
                        + " CONST(" + e.getKey() + ") there");
            } else if (c != v.value()) {
                problems.add(v.source() + ": C says " + c + ", Java says " + v.value());
            }
        }
        Set<String> unknown = new TreeSet<>();
        for (String key : probe.keySet()) {
            if (key.startsWith("const.") && !java.containsKey(key.substring("const.".length()))) {
                unknown.add(key);
            }
        }
        for (String key : unknown) {
            problems.add(key + ": printed by the probe but declared in none of the constant classes ("
                    + constantClassNames() + ")");
        }
        if (!problems.isEmpty()) {
            fail("Java constants disagree with the C headers:\n  " + String.join("\n  ", problems));
        }
    }
}

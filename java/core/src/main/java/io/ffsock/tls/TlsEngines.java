package io.ffsock.tls;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The TLS engines on the class path (or module path) and which one secure sockets use.
 * <p>
 * The JDK engine ({@value JdkTlsEngineProvider#NAME}) is always there; others come through
 * {@link java.util.ServiceLoader} ({@code ffsock-tls} brings {@code "openssl"}). Without a choice, the available
 * engine with the highest {@link TlsEngineProvider#priority()} is the default, so adding {@code ffsock-tls} to the
 * class path is enough to run on OpenSSL. A choice is made, in this order of precedence, per socket
 * ({@code Socket.setTlsEngine}), for the process ({@link #setDefault}), or with the system property
 * {@value #PROPERTY} (for example {@code -Dffsock.tls.engine=jdk}).
 */
public final class TlsEngines {
    /** The system property naming the default engine. */
    public static final String PROPERTY = "ffsock.tls.engine";

    private static volatile List<TlsEngineProvider> all;
    private static volatile String chosen;

    private TlsEngines() {
    }

    /** Every engine found, available or not, the highest priority first. */
    public static List<TlsEngineProvider> all() {
        List<TlsEngineProvider> a = all;
        if (a == null) {
            synchronized (TlsEngines.class) {
                a = all;
                if (a == null) {
                    a = load();
                    all = a;
                }
            }
        }
        return a;
    }

    private static List<TlsEngineProvider> load() {
        List<TlsEngineProvider> out = new ArrayList<>();
        out.add(new JdkTlsEngineProvider());
        ClassLoader cl = TlsEngines.class.getClassLoader();
        for (TlsEngineProvider p : ServiceLoader.load(TlsEngineProvider.class, cl)) {
            if (out.stream().noneMatch(q -> q.name().equals(p.name()))) {
                out.add(p);
            }
        }
        if (Thread.currentThread().getContextClassLoader() != cl) {
            for (TlsEngineProvider p : ServiceLoader.load(TlsEngineProvider.class)) {
                if (out.stream().noneMatch(q -> q.name().equals(p.name()))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingInt(TlsEngineProvider::priority).reversed());
        return List.copyOf(out);
    }

    /**
     * Adds an engine by hand (one not found through {@link java.util.ServiceLoader}), replacing any engine of the
     * same name. It takes part in the default choice by its priority like the others.
     */
    public static synchronized void register(TlsEngineProvider provider) {
        List<TlsEngineProvider> out = new ArrayList<>(all());
        out.removeIf(p -> p.name().equalsIgnoreCase(provider.name()));
        out.add(provider);
        out.sort(Comparator.comparingInt(TlsEngineProvider::priority).reversed());
        all = List.copyOf(out);
    }

    /** The names of the engines that can run here, the highest priority first. */
    public static List<String> available() {
        List<String> out = new ArrayList<>();
        for (TlsEngineProvider p : all()) {
            if (p.isAvailable()) {
                out.add(p.name());
            }
        }
        return out;
    }

    /**
     * The engine called {@code name} (case does not matter).
     *
     * @throws IllegalArgumentException when there is no such engine, or it cannot run here (with the reason)
     */
    public static TlsEngineProvider get(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (TlsEngineProvider p : all()) {
            if (p.name().equalsIgnoreCase(n)) {
                if (!p.isAvailable()) {
                    throw new IllegalArgumentException("the TLS engine '" + p.name() + "' is not available here: "
                            + p.unavailableReason());
                }
                return p;
            }
        }
        throw new IllegalArgumentException("no TLS engine called '" + name + "'; available: " + available()
                + (n.equals("openssl") ? " (put ffsock-tls on the class path for OpenSSL)" : ""));
    }

    /**
     * The engine secure sockets use unless one is set on the socket: the one {@link #setDefault} chose, else the
     * one the system property {@value #PROPERTY} names, else the available engine of highest priority.
     *
     * @throws IllegalArgumentException when the chosen engine does not exist or cannot run here
     */
    public static TlsEngineProvider defaultEngine() {
        String c = chosen;
        if (c == null) {
            c = System.getProperty(PROPERTY);
        }
        if (c != null && !c.isBlank()) {
            return get(c);
        }
        for (TlsEngineProvider p : all()) {
            if (p.isAvailable()) {
                return p;
            }
        }
        throw new AssertionError("the JDK engine is always available");
    }

    /**
     * Chooses the default engine for the process by name; {@code null} goes back to the system property and then
     * the priorities.
     *
     * @throws IllegalArgumentException when there is no such engine or it cannot run here
     */
    public static void setDefault(String name) {
        if (name != null) {
            get(name);
        }
        chosen = name;
    }
}

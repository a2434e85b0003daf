package io.ffsock.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code ffsock} command line: {@code ffsock <verb> [args...]}.
 * <p>
 * The launcher script at the repository root runs this class for every verb it does not handle itself
 * ({@code test} and {@code classpath} are the launcher's own), so a new verb is added here and nowhere else.
 * Exit codes: 0 on success, 2 for a usage error (unknown verb), anything else is the verb's own failure.
 */
public final class Main {

    /** Exit code for a command line that names no known verb. */
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    /**
     * Runs one verb and exits with its status.
     *
     * @param args the verb followed by its arguments; no arguments means {@code demo}
     */
    public static void main(String[] args) {
        int status = run(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Dispatches {@code args[0]} to its verb, without exiting the JVM (so tests can call it).
     *
     * @param args the verb followed by its arguments; no arguments means {@code demo}
     * @return the exit status: 0 on success, {@link #EXIT_USAGE} for an unknown verb
     */
    static int run(String[] args) {
        String verb = args.length == 0 ? "demo" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (verb) {
            case "demo":
                return new Demo(System.out).run(rest);
            case "bench":
                return new Bench(System.out, System.err).run(rest);
            case "help":
            case "-h":
            case "--help":
                usage(System.out);
                return 0;
            default:
                System.err.println("ffsock: unknown verb '" + verb + "'");
                usage(System.err);
                return EXIT_USAGE;
        }
    }

    /**
     * Prints the verbs this class knows, plus the launcher's own.
     *
     * @param out where to print
     */
    static void usage(PrintStream out) {
        out.println("usage: ffsock [verb] [args...]");
        out.println();
        out.println("verbs:");
        out.println("  demo        run the ffsock demo (the default when no verb is given)");
        out.println("  bench       ffsock side by side with C, JNI, NIO, java.net and jnr-unixsocket:");
        out.println("              a table, JSON and an SVG chart (--quick: a smoke run); bench jmh: JMH");
        out.println("  help        print this text (also -h, --help)");
        out.println();
        out.println("verbs handled by the ./ffsock launcher itself:");
        out.println("  test        build and run every unit and integration test (mvn verify)");
        out.println("  classpath   print the class path of the ffsock library, for javac/jshell");
    }
}

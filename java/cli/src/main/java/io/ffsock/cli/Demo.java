package io.ffsock.cli;

import java.io.PrintStream;
import java.util.Objects;

/**
 * The {@code demo} verb: what {@code ./ffsock} runs when given no verb.
 * <p>
 * For now it only says that the demo is being built; it will exercise {@code io.ffsock.Socket} once that
 * class is in the core.
 */
final class Demo {

    private final PrintStream out;

    /**
     * @param out where the demo prints its output
     */
    Demo(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * Runs the demo.
     *
     * @param args the arguments after {@code demo}; none are used yet
     * @return the exit status, 0 on success
     */
    int run(String[] args) {
        out.println("ffsock demo: the demo is being built; it will run once io.ffsock.Socket lands in ffsock-core.");
        return 0;
    }
}

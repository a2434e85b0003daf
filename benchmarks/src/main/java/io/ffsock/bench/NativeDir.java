package io.ffsock.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CMake build of {@code native/} is: the system property {@code ffsock.native.dir}, else
 * {@code benchmarks/target/native} seen from the repository root or from {@code benchmarks/}.
 */
public final class NativeDir {
    private NativeDir() {}

    /** The build directory, which holds {@code peer/ffsock-peer} and {@code jni/libffsock_jni.so}. */
    public static Path get() {
        String p = System.getProperty("ffsock.native.dir");
        if (p != null) {
            return Path.of(p);
        }
        for (String c : new String[] {"benchmarks/target/native", "target/native", "../benchmarks/target/native"}) {
            Path d = Path.of(c);
            if (Files.isDirectory(d)) {
                return d.toAbsolutePath();
            }
        }
        throw new IllegalStateException("native build not found: build the benchmarks module (mvn -pl benchmarks -am"
                + " package) or pass -Dffsock.native.dir=<cmake build dir>");
    }

    /** The C peer program. */
    public static Path peer() {
        return require(get().resolve("peer/ffsock-peer"));
    }

    /** The JNI twin's shared library. */
    public static Path jniLibrary() {
        return require(get().resolve("jni/libffsock_jni.so"));
    }

    private static Path require(Path p) {
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " is missing: the CMake build of native/ did not produce it");
        }
        return p;
    }
}

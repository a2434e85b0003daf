/*
 * The JNI twin of ffsock's hot path, for comparison only (ffsock itself has no C). The bodies are in hotpath.c,
 * included here so that JNI and FFM call the same machine code; these functions only translate JNI's arguments:
 * a direct address (as NIO's direct buffers and ffsock's native segments give) or a byte[] pinned with
 * Get/ReleasePrimitiveArrayCritical (the JNI counterpart of a critical FFM downcall taking a heap segment).
 *
 * Java side: io.ffsock.bench.jni.JniTwin in benchmarks/.
 */
#include <jni.h>
#include <stdint.h>

#include "hotpath.c"

JNIEXPORT jlong JNICALL Java_io_ffsock_bench_jni_JniTwin_send(JNIEnv *env, jclass cls, jint fd, jlong addr,
                                                              jlong len) {
    (void) env;
    (void) cls;
    return ffsock_hot_send(fd, (const void *) (uintptr_t) addr, (size_t) len);
}

JNIEXPORT jlong JNICALL Java_io_ffsock_bench_jni_JniTwin_recv(JNIEnv *env, jclass cls, jint fd, jlong addr,
                                                              jlong len) {
    (void) env;
    (void) cls;
    return ffsock_hot_recv(fd, (void *) (uintptr_t) addr, (size_t) len);
}

JNIEXPORT jint JNICALL Java_io_ffsock_bench_jni_JniTwin_poll(JNIEnv *env, jclass cls, jint fd, jint events,
                                                             jint timeout_ms) {
    (void) env;
    (void) cls;
    return ffsock_hot_poll(fd, events, timeout_ms);
}

JNIEXPORT jlong JNICALL Java_io_ffsock_bench_jni_JniTwin_sendArray(JNIEnv *env, jclass cls, jint fd, jbyteArray a,
                                                                   jint off, jint len) {
    (void) cls;
    jbyte *p = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    if (p == NULL) {
        return -12; /* ENOMEM: the JVM could not pin the array */
    }
    long n = ffsock_hot_send(fd, p + off, (size_t) len);
    (*env)->ReleasePrimitiveArrayCritical(env, a, p, JNI_ABORT);
    return n;
}

JNIEXPORT jlong JNICALL Java_io_ffsock_bench_jni_JniTwin_recvArray(JNIEnv *env, jclass cls, jint fd, jbyteArray a,
                                                                   jint off, jint len) {
    (void) cls;
    jbyte *p = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    if (p == NULL) {
        return -12;
    }
    long n = ffsock_hot_recv(fd, p + off, (size_t) len);
    (*env)->ReleasePrimitiveArrayCritical(env, a, p, 0);
    return n;
}

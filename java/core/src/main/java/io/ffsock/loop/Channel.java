package io.ffsock.loop;

/**
 * Something registered with an {@link EventLoop}: a descriptor and what to do when epoll reports it. Every method
 * runs on the loop thread.
 */
abstract class Channel {
    /** The registered descriptor, or -1. */
    int fd = -1;
    /** Registration token: epoll's data word is {@code token << 32 | fd}, so a stale event never reaches us. */
    int token;
    /** Queued on the loop's "again" list: it stopped reading at its budget with data left in the kernel. */
    boolean againQueued;
    /** Queued on the loop's flush list: written to from the loop thread outside its own event. */
    boolean flushQueued;

    /** epoll reported {@code events} for {@link #fd}. */
    abstract void onEvents(int events);

    /** Continue reading where the last event's budget stopped. */
    void onAgain() {}

    /** Send what was written from the loop thread since the last event. */
    void onFlush() {}

    /** The loop is closing: release the descriptor (the loop forgets the registration itself). */
    abstract void onLoopClose();
}

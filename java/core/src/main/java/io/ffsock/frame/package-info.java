/**
 * Frames over a {@link io.ffsock.Socket}: {@link io.ffsock.frame.FrameFormat length-prefixed or delimited} wire
 * formats, a {@link io.ffsock.frame.FrameWriter} that coalesces small frames into one {@code send(2)}, and a
 * {@link io.ffsock.frame.FrameReader} that decodes many frames from one {@code recv(2)} into a zero-copy
 * {@link io.ffsock.frame.Frame} flyweight. Every length from the peer is checked against the maximum frame size
 * before anything is read or allocated for it. The steady state allocates nothing.
 */
package io.ffsock.frame;

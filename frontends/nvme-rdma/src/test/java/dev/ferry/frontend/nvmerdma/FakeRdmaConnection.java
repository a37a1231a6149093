package dev.ferry.frontend.nvmerdma;

import dev.ferry.frontend.nvmerdma.verbs.RdmaConnection;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records what the queue pair posts instead of touching hardware; the test completes the work requests. Posts
 * happen on the loop, and the test takes them from blocking queues.
 */
final class FakeRdmaConnection implements RdmaConnection {
    enum Op { SEND, READ, WRITE }

    /** One posted send-queue work request. */
    record Posted(Op op, ByteBuf buffer, int length, long remoteAddress, int key, boolean invalidate,
            WorkCompletion done) {
    }

    record Receive(ByteBuf buffer, WorkCompletion done) {
    }

    final BlockingQueue<Receive> receives = new LinkedBlockingQueue<>();
    final BlockingQueue<Posted> sends = new LinkedBlockingQueue<>();
    final List<ByteBuf> allocated = new ArrayList<>();
    volatile byte[] accepted;
    volatile byte[] rejected;
    volatile boolean disconnected;
    volatile boolean destroyed;
    /** Registered memory running out: allocations beyond this count, or larger than this size, return null. */
    volatile int allocationsLeft = Integer.MAX_VALUE;
    volatile int largestAllocation = Integer.MAX_VALUE;

    @Override
    public synchronized ByteBuf allocate(int capacity) {
        if (capacity > largestAllocation || allocationsLeft == 0) {
            return null;
        }
        allocationsLeft--;
        ByteBuf b = Unpooled.directBuffer(capacity, capacity);
        allocated.add(b);
        return b;
    }

    @Override
    public void accept(byte[] privateData) {
        accepted = privateData;
    }

    @Override
    public void reject(byte[] privateData) {
        rejected = privateData;
    }

    @Override
    public void postReceive(ByteBuf buffer, WorkCompletion done) {
        receives.add(new Receive(buffer, done));
    }

    @Override
    public void postSend(ByteBuf buffer, boolean invalidate, int invalidateKey, WorkCompletion done) {
        sends.add(new Posted(Op.SEND, buffer, buffer.readableBytes(), 0, invalidateKey, invalidate, done));
    }

    @Override
    public void rdmaRead(ByteBuf buffer, int length, long remoteAddress, int rkey, WorkCompletion done) {
        sends.add(new Posted(Op.READ, buffer, length, remoteAddress, rkey, false, done));
    }

    @Override
    public void rdmaWrite(ByteBuf buffer, long remoteAddress, int rkey, WorkCompletion done) {
        sends.add(new Posted(Op.WRITE, buffer, buffer.readableBytes(), remoteAddress, rkey, false, done));
    }

    @Override
    public void disconnect() {
        disconnected = true;
    }

    @Override
    public void destroy() {
        destroyed = true;
    }

    Receive nextReceive() throws InterruptedException {
        return take(receives, "receive");
    }

    Posted nextSend() throws InterruptedException {
        return take(sends, "send-queue work request");
    }

    private static <T> T take(BlockingQueue<T> q, String what) throws InterruptedException {
        T t = q.poll(5, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("no " + what + " posted");
        }
        return t;
    }

    synchronized long leakedBuffers() {
        return allocated.stream().filter(b -> b.refCnt() > 0).count();
    }
}

package dev.ferry.core.backend;

import dev.ferry.core.request.BlockRequest;

/**
 * What a backend (RTA) implements: one opened storage resource. A backend knows nothing of networks or protocols.
 *
 * <p>{@link #execute} is called on one of the core's worker threads (as many as {@link #workers()} asks for), or,
 * for a {@link #nonBlocking} backend, on the frontend event loops; possibly concurrently from several of them. It
 * either completes the request before returning (blocking I/O) or arranges for {@link BlockRequest#complete} to be
 * called later from any thread (asynchronous I/O).
 * A request is always within capacity and well-formed: the core checks LBA ranges before it gets here.
 * {@link dev.ferry.core.request.BlockOp#COMPARE_AND_WRITE} must be atomic against every other write to the same
 * blocks.
 *
 * <p>Buffers: a READ appends its bytes to {@code data} (advancing the writer index); WRITE, COMPARE_AND_WRITE and
 * VERIFY read {@code data} from its reader index with absolute gets and leave both indexes alone.
 */
public interface Backend extends AutoCloseable {

    /** What this resource is and can do; only {@link #resize} and {@link #rereadCapacity} change it. */
    BackendDescriptor describe();

    /** Executes one request and eventually completes it exactly once. */
    void execute(BlockRequest request);

    /**
     * Whether {@link #execute} never blocks (it completes at once from memory, or only queues the request to the
     * device, as io_uring submission does). The core then runs it on the frontend event loop that decoded the
     * command (run-to-completion, no thread hand-off); otherwise on the unit's worker threads. Asked once, when the
     * unit opens: the answer must not change.
     */
    default boolean nonBlocking() {
        return false;
    }

    /**
     * How many worker threads should feed this backend (blocking backends want several); none are made for a
     * {@link #nonBlocking} one.
     */
    default int workers() {
        return 1;
    }

    /**
     * Gives the resource a new capacity of {@code capacityBytes} (rounded down to whole logical blocks) while
     * requests keep running, and returns the new description, in which only the capacity differs. Blocks added by
     * growing must be served as soon as this returns. The core calls it one at a time per backend and shrinks only
     * a backstore no LUN maps, so no request reaches past a new, smaller end.
     *
     * @throws BackendException when this kind of resource has no configurable size, or the change failed (the
     *                          capacity is then unchanged)
     */
    default BackendDescriptor resize(long capacityBytes) throws BackendException {
        throw new BackendException("backstore " + describe().name() + " cannot be given a size: it has its device's");
    }

    /**
     * Reads the capacity again from a resource whose size is its own (a block device an admin grew) and returns the
     * new description, in which only the capacity may differ.
     *
     * @throws BackendException when the capacity is the configuration's (give a size instead) or cannot be read
     */
    default BackendDescriptor rereadCapacity() throws BackendException {
        throw new BackendException("backstore " + describe().name() + " cannot re-read its size live");
    }

    /**
     * Asks to be told when the resource's size may have changed outside Ferry (an RBD image another client
     * resized): the backend then calls {@code changed}, from a thread of its own that holds none of its locks, and
     * the core re-reads the capacity ({@link #rereadCapacity}) and tells the initiators. Called at most once, after
     * the unit started; {@link #close} stops the calls. The default never calls: the resource cannot tell.
     */
    default void watchCapacity(Runnable changed) {
    }

    /** Flushes and closes the resource; called after every worker stopped. */
    @Override
    void close();
}

package dev.ferry.core.backend;

import dev.ferry.core.request.BlockRequest;

/**
 * What a backend (RTA) implements: one opened storage resource. A backend knows nothing of networks or protocols.
 *
 * <p>{@link #execute} is called on one of the core's worker threads (as many as {@link #workers()} asks for),
 * possibly concurrently from several of them. It either completes the request before returning (blocking I/O)
 * or arranges for {@link BlockRequest#complete} to be called later from any thread (asynchronous I/O).
 * A request is always within capacity and well-formed: the core checks LBA ranges before it gets here.
 * {@link dev.ferry.core.request.BlockOp#COMPARE_AND_WRITE} must be atomic against every other write to the same
 * blocks.
 *
 * <p>Buffers: a READ appends its bytes to {@code data} (advancing the writer index); WRITE, COMPARE_AND_WRITE and
 * VERIFY read {@code data} from its reader index with absolute gets and leave both indexes alone.
 */
public interface Backend extends AutoCloseable {

    /** What this resource is and can do; stable for as long as the backend is open. */
    BackendDescriptor describe();

    /** Executes one request and eventually completes it exactly once. */
    void execute(BlockRequest request);

    /** How many worker threads should feed this backend (blocking backends want several). */
    default int workers() {
        return 1;
    }

    /** Flushes and closes the resource; called after every worker stopped. */
    @Override
    void close();
}

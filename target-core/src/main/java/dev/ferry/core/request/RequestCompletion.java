package dev.ferry.core.request;

/**
 * Called by the core on the frontend's own event loop thread when a request completes. The frontend reads the
 * result and then {@link BlockRequest#release() releases} the request.
 */
@FunctionalInterface
public interface RequestCompletion {
    void completed(BlockRequest request);
}

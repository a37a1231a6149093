package dev.ferry.frontend.nvme;

import dev.ferry.core.ring.CompletionQueue;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * What the controller model needs from one transport connection (one SQ/CQ pair): the per-queue half of nvmet's
 * {@code struct nvmet_fabrics_ops}. Every method except {@link #close()} is called on the connection's event loop.
 */
public interface QueueTransport {

    /**
     * Sends the response of a completed request ({@code queue_response}): its controller-to-host data, if any
     * ({@link NvmeRequest#controllerData()}, at most the SGL length), then the 16-byte CQE, which the transport
     * writes straight into its own buffer ({@link NvmeRequest#writeCqe}). The transport releases the request.
     */
    void complete(NvmeRequest request);

    /** Closes the connection (controller deleted, keep-alive expired, Disconnect); callable from any thread. */
    void close();

    /** The connection's event loop: where everything about this queue runs. */
    Executor executor();

    /** The block-request pool of this connection's event loop. */
    CompletionQueue completionQueue();

    /** The local address the host reached, used for discovery entries of ports bound to a wildcard address. */
    InetSocketAddress localAddress();

    /** Where the host connects from, for status reports; null when the transport has no IP peer address. */
    default InetSocketAddress remoteAddress() {
        return null;
    }
}

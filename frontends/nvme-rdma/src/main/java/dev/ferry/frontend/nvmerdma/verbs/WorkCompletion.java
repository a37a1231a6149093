package dev.ferry.frontend.nvmerdma.verbs;

/**
 * Called once when a posted work request completes ({@code struct ibv_wc}): its status and, for receives, the
 * number of bytes that arrived. Runs on the queue pair's executor.
 */
@FunctionalInterface
public interface WorkCompletion {
    /** {@code enum ibv_wc_status}: IBV_WC_SUCCESS. */
    int SUCCESS = 0;
    /** IBV_WC_WR_FLUSH_ERR: the QP went to the error state (disconnect) before the request ran. */
    int WR_FLUSH_ERR = 5;
    /** IBV_WC_GENERAL_ERR: also what a failed post reports, since the request will never complete. */
    int GENERAL_ERR = 21;

    void completed(int status, int byteLength);
}

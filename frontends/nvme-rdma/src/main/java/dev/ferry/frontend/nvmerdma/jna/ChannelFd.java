package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * Where the file descriptor sits in the two RDMA event channels:
 * <pre>
 * struct ibv_comp_channel    { struct ibv_context *context; int fd; int refcnt; }   fd at byte 8
 * struct rdma_event_channel  { int fd; }                                          fd at byte 0
 * </pre>
 */
public final class ChannelFd {
    static final int COMP_CHANNEL_FD = 8;
    static final int EVENT_CHANNEL_FD = 0;

    private ChannelFd() {
    }

    public static int ofCompletionChannel(Pointer channel) { return channel.getInt(COMP_CHANNEL_FD); }
    public static int ofEventChannel(Pointer channel) { return channel.getInt(EVENT_CHANNEL_FD); }
}

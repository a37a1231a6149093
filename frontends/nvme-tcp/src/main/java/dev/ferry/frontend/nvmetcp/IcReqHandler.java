package dev.ferry.frontend.nvmetcp;

import dev.ferry.frontend.nvmetcp.pdu.ConnectionParameters;
import dev.ferry.frontend.nvmetcp.pdu.FatalErrorStatus;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.pdu.PduType;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Connection initialization (NVMe/TCP 1.0 3.1, 3.6.2.2/3.6.2.3): the first PDU must be an ICReq; it is answered
 * with an ICResp, the digests both sides asked for are enabled, and this handler leaves the pipeline. Anything
 * else first is a PDU sequence error.
 */
final class IcReqHandler extends ChannelInboundHandlerAdapter {
    /** PDU format version 1.0 (PFV 0). */
    static final int PFV_1_0 = 0;
    /** HPDA is a 0's based dword count of at most 32 dwords (128 bytes). */
    static final int MAX_HPDA = 31;

    private final ConnectionParameters params;

    IcReqHandler(ConnectionParameters params) {
        this.params = params;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Pdu.Fatal || msg instanceof Pdu.TermReq) {
            ctx.fireChannelRead(msg); // the queue handler answers and closes
            return;
        }
        if (!(msg instanceof Pdu.IcReq req)) {
            Pdu.releaseIfNeeded(msg);
            ctx.fireChannelRead(new Pdu.Fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, null, "no ICReq first"));
            return;
        }
        if (req.pfv() != PFV_1_0) {
            ctx.fireChannelRead(new Pdu.Fatal(FatalErrorStatus.UNSUPPORTED_PARAMETER, PduType.IC_PFV, null,
                    "PFV " + req.pfv()));
            return;
        }
        if (req.hpda() > MAX_HPDA) {
            ctx.fireChannelRead(new Pdu.Fatal(FatalErrorStatus.INVALID_HEADER_FIELD, PduType.IC_PDA, null,
                    "HPDA " + req.hpda()));
            return;
        }
        // Both digests are supported, so each is enabled exactly when the host asked for it.
        int digest = req.digest() & (PduType.DGST_HDGST_ENABLE | PduType.DGST_DDGST_ENABLE);
        ctx.writeAndFlush(new Pdu.IcResp(PFV_1_0, ConnectionParameters.CPDA, digest,
                ConnectionParameters.MAX_H2C_DATA));
        // ICResp itself goes out without digests; they apply from the next PDU on.
        params.negotiated((digest & PduType.DGST_HDGST_ENABLE) != 0, (digest & PduType.DGST_DDGST_ENABLE) != 0,
                req.hpda());
        ctx.pipeline().remove(this);
    }
}

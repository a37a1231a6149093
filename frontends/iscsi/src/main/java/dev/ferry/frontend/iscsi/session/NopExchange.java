package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.NopPdu;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NOP exchanges (RFC 7143 11.18, 11.19): answers an initiator's NOP-Out ping, and pings an idle initiator with a
 * NOP-In, dropping the connection when the next idle period passes without its answer.
 */
final class NopExchange {
    private static final Logger LOG = LoggerFactory.getLogger(NopExchange.class);

    private final IscsiConnection c;
    /** The TTT of our unanswered ping, or the reserved tag. */
    private int pingTtt = IscsiPdu.RESERVED_TAG;

    NopExchange(IscsiConnection c) {
        this.c = c;
    }

    /** The connection was idle for the idle period. */
    void idle() {
        if (c.phase != IscsiConnection.Phase.FULL_FEATURE && c.phase != IscsiConnection.Phase.LOGGING_OUT) {
            return;
        }
        if (pingTtt != IscsiPdu.RESERVED_TAG) {
            LOG.warn("{}: no answer to NOP-In ping, dropping the connection", c.ctx.channel());
            c.teardown.closing("no answer to NOP-In ping");
            c.ctx.close();
            return;
        }
        // 11.19: a target-initiated ping; ITT reserved, a TTT the initiator echoes, StatSN not advanced.
        pingTtt = c.newTtt();
        c.send(NopPdu.nopIn(IscsiPdu.RESERVED_TAG, pingTtt, 0), false);
        c.flush();
    }

    /** A NOP-Out with the reserved ITT: the answer to our ping (or a ping that wants no answer). */
    void answered(IscsiPdu pdu) {
        if (NopPdu.ttt(pdu) == pingTtt) {
            pingTtt = IscsiPdu.RESERVED_TAG;
        }
        pdu.release();
    }

    /** A NOP-Out ping: echoed in a NOP-In with its data (up to what the initiator receives in one PDU). */
    void nopOut(IscsiPdu pdu) {
        try {
            ByteBuf data = pdu.data();
            int n = Math.min(data.readableBytes(), c.params.initiatorMaxRecvDataSegmentLength);
            IscsiPdu r = NopPdu.nopIn(pdu.itt(), IscsiPdu.RESERVED_TAG, pdu.lun());
            if (n > 0) {
                r.data(data.retainedSlice(data.readerIndex(), n));
            }
            c.send(r, true);
        } finally {
            pdu.release();
        }
    }
}

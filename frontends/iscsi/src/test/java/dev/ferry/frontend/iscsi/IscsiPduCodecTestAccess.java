package dev.ferry.frontend.iscsi;

import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPduEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/** Encodes a PDU to wire bytes with the target's encoder (no digests). */
final class IscsiPduCodecTestAccess {
    private IscsiPduCodecTestAccess() {
    }

    static ByteBuf encode(IscsiPdu p) {
        EmbeddedChannel ch = new EmbeddedChannel(new IscsiPduEncoder());
        ch.writeOutbound(p);
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        ch.finishAndReleaseAll();
        return all;
    }
}

package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.TextPdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text requests in full feature phase (RFC 7143 11.10, 11.11): collects request text across continuation PDUs,
 * answers SendTargets (every other key is NotUnderstood) and sends a long answer in pieces the initiator asks for.
 */
final class TextExchange {
    /** Request text one exchange may carry across continuation PDUs. */
    private static final int MAX_TEXT = 65536;

    private final IscsiConnection c;
    private ByteArrayOutputStream textIn;
    private byte[] textOut;
    private int textOutOffset;
    private int textOutTtt = IscsiPdu.RESERVED_TAG;

    TextExchange(IscsiConnection c) {
        this.c = c;
    }

    void request(IscsiPdu pdu) {
        try {
            int ttt = TextPdu.ttt(pdu);
            if (ttt != IscsiPdu.RESERVED_TAG && ttt == textOutTtt && textOut != null) {
                sendChunk(pdu.itt(), pdu.lun());
                return;
            }
            textOut = null;
            textOutTtt = IscsiPdu.RESERVED_TAG;
            if (textIn == null) {
                textIn = new ByteArrayOutputStream();
            }
            ByteBuf d = pdu.data();
            if (textIn.size() + d.readableBytes() > MAX_TEXT) {
                textIn = null;
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            byte[] chunk = new byte[d.readableBytes()];
            d.readBytes(chunk);
            textIn.writeBytes(chunk);
            if (TextPdu.cont(pdu)) {
                // More request text follows: an empty response with a TTT asks for it (11.10.2).
                c.send(TextPdu.response(false, false, pdu.itt(), c.newTtt(), pdu.lun()), true);
                return;
            }
            List<Map.Entry<String, String>> keys;
            try {
                keys = TextKeys.parse(textIn.toByteArray());
            } catch (IllegalArgumentException e) {
                textIn = null;
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            textIn = null;
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Map.Entry<String, String> kv : keys) {
                if (kv.getKey().equals("SendTargets")) {
                    out.addAll(SendTargets.answer(c.services, kv.getValue(), c.session.discovery(), c.session.export,
                            c.params.initiatorName, (InetSocketAddress) c.ctx.channel().localAddress()));
                } else {
                    out.add(Map.entry(kv.getKey(), "NotUnderstood"));
                }
            }
            textOut = TextKeys.encode(out);
            textOutOffset = 0;
            sendChunk(pdu.itt(), pdu.lun());
        } finally {
            pdu.release();
        }
    }

    private void sendChunk(int itt, long lun) {
        int n = Math.min(textOut.length - textOutOffset, c.params.initiatorMaxRecvDataSegmentLength);
        boolean last = textOutOffset + n == textOut.length;
        int ttt = last ? IscsiPdu.RESERVED_TAG : c.newTtt();
        IscsiPdu r = TextPdu.response(last, !last, itt, ttt, lun);
        r.data(n == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(textOut, textOutOffset, n));
        textOutOffset += n;
        if (last) {
            textOut = null;
            textOutTtt = IscsiPdu.RESERVED_TAG;
        } else {
            textOutTtt = ttt;
        }
        c.send(r, true);
    }

    /** The connection is gone. */
    void clear() {
        textIn = null;
        textOut = null;
    }
}

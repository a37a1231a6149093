package dev.ferry.frontend.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Where the data segment of an incoming PDU goes, chosen by the connection once the PDU's header is decoded, so the
 * bytes are copied once, from the socket buffer to their final place (a write's I/O buffer).
 */
public interface DataLanding {
    /**
     * A buffer with exactly {@code header.dataSegmentLength()} writable bytes from its writer index, of which the
     * decoder takes ownership (one reference) and which becomes the PDU's data; or null for a buffer of the
     * decoder's own. {@code header} is valid only during the call.
     */
    ByteBuf landingFor(IscsiPdu header);
}

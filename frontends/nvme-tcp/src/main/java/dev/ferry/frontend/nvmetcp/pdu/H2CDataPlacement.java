package dev.ferry.frontend.nvmetcp.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Where the data of H2CData PDUs goes: the queue handler's transfer buffers, so that the decoder copies each PDU's
 * data once, as it arrives from the socket, into the command's final buffer. Called on the connection's loop.
 */
public interface H2CDataPlacement {
    /**
     * An H2CData header (CH and PSH in {@code header}, from index 0) announced {@code length} bytes of data: the
     * buffer they go into at its writer index, or null when the PDU is refused; the placement has then dealt with
     * the fatal error, and the decoder discards the rest of the stream.
     */
    ByteBuf destination(ByteBuf header, int cccid, int ttag, int dataOffset, int length);

    /** The data of the PDU last given a destination is in it; {@code digestError}: its DDGST did not match. */
    void placed(int ttag, boolean digestError);
}

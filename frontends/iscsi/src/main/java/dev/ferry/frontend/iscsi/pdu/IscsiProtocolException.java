package dev.ferry.frontend.iscsi.pdu;

/** An error after which the byte stream cannot be trusted (bad header digest, impossible lengths): drop the connection. */
public final class IscsiProtocolException extends RuntimeException {
    public IscsiProtocolException(String message) {
        super(message, null, false, false);
    }
}

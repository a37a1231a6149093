package dev.ferry.bench.initiator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * A blocking TCP connection with a reused send buffer and a receive buffer that hands out whole PDUs in place:
 * nothing is allocated per PDU, so the client adds little of its own to a latency it measures.
 */
final class Channel implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 1 << 20;

    final ByteBuffer tx;
    final ByteBuffer rx;
    private final SocketChannel socket;

    Channel(InetSocketAddress target, ByteOrder order, int sendBytes) throws IOException {
        tx = ByteBuffer.allocateDirect(sendBytes).order(order);
        rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(order).flip();
        socket = SocketChannel.open();
        try {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.connect(target);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Zeroes the first {@code bytes} (a multiple of 8) of the send buffer, for a new header. */
    void clear(int bytes) {
        clear(0, bytes);
    }

    void clear(int from, int bytes) {
        for (int i = from; i < from + bytes; i += Long.BYTES) {
            tx.putLong(i, 0);
        }
    }

    /** Sends the first {@code length} bytes of the send buffer. */
    void send(int length) throws IOException {
        tx.position(0).limit(length);
        while (tx.hasRemaining()) {
            socket.write(tx);
        }
        tx.clear();
    }

    /** Makes {@code bytes} bytes readable from rx.position() on, reading more as needed. */
    void need(int bytes) throws IOException {
        if (rx.remaining() >= bytes) {
            return;
        }
        if (bytes > rx.capacity()) {
            throw new IOException("a PDU of " + bytes + " bytes does not fit the receive buffer");
        }
        rx.compact();
        while (rx.position() < bytes) {
            if (socket.read(rx) < 0) {
                throw new IOException("the target closed the connection");
            }
        }
        rx.flip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

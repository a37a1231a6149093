package dev.ferry.cli.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Sends one request to the daemon's control socket and reads its answer (one request per connection). */
public final class ControlClient {
    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public ControlResponse call(ControlRequest request) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new DaemonUnreachableException(socket, e);
        }
        try (ch) {
            ByteBuffer out = ByteBuffer.wrap(ControlJson.MAPPER.writeValueAsBytes(request));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            byte[] answer = Channels.newInputStream(ch).readNBytes(ControlJson.MAX_MESSAGE_BYTES);
            if (answer.length == 0) {
                throw new IOException("the daemon closed the connection without answering (see its log)");
            }
            return ControlJson.MAPPER.readValue(answer, ControlResponse.class);
        }
    }
}

package dev.ferry.cli.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's management endpoint: a Unix domain socket, mode 0600, so only the daemon's user (root for the
 * packaged service) can change the configuration. Each connection carries one JSON request and its answer.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<ControlRequest, ControlResponse> handler;
    private final Thread acceptor;

    private ControlServer(Path socket, ServerSocketChannel server, Function<ControlRequest, ControlResponse> handler) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.acceptor = new Thread(this::acceptLoop, "ferry-control");
        acceptor.setDaemon(true);
    }

    /**
     * Binds the socket. A leftover socket file nobody answers on (a daemon that was killed) is replaced; one a
     * daemon answers on is not.
     */
    public static ControlServer start(Path socket, Function<ControlRequest, ControlResponse> handler) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new IOException("cannot create the control socket's directory " + dir + " (" + e
                        + "); choose another socket with --control-socket", e);
            }
        }
        if (Files.exists(socket)) {
            if (answers(socket)) {
                throw new IOException("another ferry daemon is listening on " + socket);
            }
            Files.delete(socket);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on control socket " + socket + ": " + e.getMessage(), e);
        }
        ControlServer s = new ControlServer(socket, server, handler);
        s.acceptor.start();
        LOG.info("control socket listening on {}", socket);
        return s;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                // One thread per connection: a client that stalls must not block the next one.
                Thread t = new Thread(() -> serve(ch), "ferry-control-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("control socket accept failed", e);
                }
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            InputStream in = Channels.newInputStream(ch);
            byte[] request = in.readNBytes(ControlJson.MAX_MESSAGE_BYTES);
            ControlResponse response;
            try {
                response = handler.apply(ControlJson.MAPPER.readValue(request, ControlRequest.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                response = ControlResponse.error(ControlResponse.BAD_REQUEST, java.util.List.of(e.getOriginalMessage()));
            } catch (RuntimeException | LinkageError e) {
                // The client still gets an answer; the daemon keeps serving.
                LOG.error("control request failed", e);
                response = ControlResponse.error(ControlResponse.FAILED, java.util.List.of("internal error: " + e));
            }
            ByteBuffer out = ByteBuffer.wrap(ControlJson.MAPPER.writeValueAsBytes(response));
            while (out.hasRemaining()) {
                ch.write(out);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("control request failed", e);
        }
    }

    /** Stops listening and removes the socket file. */
    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("closing control socket {}", socket, e);
        }
    }
}

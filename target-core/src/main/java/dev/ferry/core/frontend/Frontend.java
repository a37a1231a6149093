package dev.ferry.core.frontend;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a frontend (TTS) implements: listen on its portals, turn protocol commands into core requests, and turn
 * completions back into PDUs. It reaches units only through the {@link dev.ferry.core.unit.UnitRegistry}.
 */
public interface Frontend extends AutoCloseable {

    /** The protocol name, as in the configuration ({@code iscsi}, ...). */
    String protocol();

    /** The transport of its portals ({@link dev.ferry.core.config.Portal#TCP} or {@code RDMA}). */
    default String transport() {
        return dev.ferry.core.config.Portal.TCP;
    }

    /** Binds every portal of this transport of every export of this protocol; throws if a portal cannot be bound. */
    void start() throws Exception;

    /** Where it actually listens (ports resolved when 0 was configured). */
    List<InetSocketAddress> boundAddresses();

    /** Stops listening, closes connections and waits for in-flight requests to complete. */
    @Override
    void close();
}

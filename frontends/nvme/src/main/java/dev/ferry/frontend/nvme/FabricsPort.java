package dev.ferry.frontend.nvme;

import dev.ferry.core.config.Portal;
import java.net.InetSocketAddress;

/**
 * One listening port as discovery reports it (nvmet's {@code struct nvmet_port}).
 *
 * @param portId     PORTID in discovery log entries, unique per transport address
 * @param configured the portal as written in the configuration (port may be 0)
 * @param bound      where the transport actually listens
 */
public record FabricsPort(int portId, Portal configured, InetSocketAddress bound) {
}

package dev.ferry.core.frontend;

import java.net.InetSocketAddress;
import java.util.List;

/** A frontend that can list its live sessions (iSCSI sessions, NVMe controllers) for status reports. */
public interface SessionSource {

    /**
     * One connected initiator on one export.
     *
     * @param address where the initiator connects from, as {@link #address} writes it; null when unknown
     */
    record Session(String protocol, String target, String initiator, String address, String id) {

        /** host:port, an IPv6 host in brackets; null for null. */
        public static String address(InetSocketAddress a) {
            if (a == null) {
                return null;
            }
            String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
    }

    /** The sessions now, discovery sessions left out. */
    List<Session> liveSessions();
}

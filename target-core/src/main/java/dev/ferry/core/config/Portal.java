package dev.ferry.core.config;

/**
 * A listening address, written {@code host:port}, {@code [v6]:port}, or {@code host} for the protocol's default
 * port, optionally prefixed by its transport: {@code rdma://10.0.2.15:4420} (NVMe/RDMA), {@code tcp://...} (the
 * default, so usually left out).
 *
 * @param transport {@link #TCP} or {@link #RDMA}, as NVMe discovery's TRTYPE names them
 */
public record Portal(String host, int port, String transport) {

    public static final String TCP = "tcp";
    public static final String RDMA = "rdma";
    private static final String SCHEME_SEPARATOR = "://";

    public Portal {
        if (!TCP.equals(transport) && !RDMA.equals(transport)) {
            throw new IllegalArgumentException("unknown transport '" + transport + "' (tcp or rdma)");
        }
    }

    /** A TCP portal. */
    public Portal(String host, int port) {
        this(host, port, TCP);
    }

    public static Portal parse(String text, int defaultPort) {
        String transport = TCP;
        int scheme = text.indexOf(SCHEME_SEPARATOR);
        if (scheme >= 0) {
            transport = text.substring(0, scheme);
            if (!TCP.equals(transport) && !RDMA.equals(transport)) {
                throw new IllegalArgumentException("'" + text + "': unknown transport '" + transport + "' (tcp or rdma)");
            }
            text = text.substring(scheme + SCHEME_SEPARATOR.length());
        }
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']' after IPv6 address");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "': expected ':' after ']'");
                }
                portText = text.substring(close + 2);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write IPv6 addresses as [addr]:port");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + text + "': missing host (use 0.0.0.0 for every address)");
        }
        int port = defaultPort;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number");
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port must be 0-65535");
        }
        return new Portal(host, port, transport);
    }

    public boolean isRdma() {
        return RDMA.equals(transport);
    }

    /** As written in the configuration: the transport prefix only where it is not TCP. */
    @Override
    public String toString() {
        String address = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        return isRdma() ? RDMA + SCHEME_SEPARATOR + address : address;
    }
}

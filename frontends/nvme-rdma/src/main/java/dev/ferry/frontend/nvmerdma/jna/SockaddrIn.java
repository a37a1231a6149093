package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Memory;
import java.net.Inet4Address;

/**
 * {@code struct sockaddr_in}, 16 bytes:
 * <pre>
 * 0 sa_family_t sin_family (AF_INET, host order)   2 in_port_t sin_port (network order)
 * 4 struct in_addr sin_addr (network order)        8 zero[8]
 * </pre>
 */
public final class SockaddrIn {
    public static final int SIZE = 16;
    static final short AF_INET = 2;

    private SockaddrIn() {
    }

    public static Memory of(Inet4Address address, int port) {
        Memory m = new Memory(SIZE);
        m.clear();
        m.setShort(0, AF_INET);
        m.setByte(2, (byte) (port >>> 8));
        m.setByte(3, (byte) port);
        m.write(4, address.getAddress(), 0, 4);
        return m;
    }
}

package dev.ferry.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;

/** Tells a person how to reach a running target with the common initiators. */
final class ConnectHints {
    private ConnectHints() {
    }

    /** @param bound where the iSCSI frontend really listens; a wildcard address is shown as 127.0.0.1 */
    static void print(PrintWriter out, InetSocketAddress bound, String iqn) {
        String portal = bracketed(host(bound)) + ":" + bound.getPort();
        String url = "iscsi://" + portal;
        out.println("Connect with:");
        out.println("  open-iscsi: iscsiadm -m discovery -t st -p " + portal);
        out.println("              iscsiadm -m node -T " + iqn + " -p " + portal + " --login");
        out.println("  libiscsi:   iscsi-ls -s " + url);
        out.println("              iscsi-inq " + url + "/" + iqn + "/0");
        out.println("  qemu:       qemu-img convert -O raw image.raw " + url + "/" + iqn + "/0");
    }

    /** @param bound where the NVMe/TCP frontend really listens */
    static void printNvme(PrintWriter out, InetSocketAddress bound, String nqn) {
        String host = host(bound);
        out.println("  nvme-cli:   nvme discover -t tcp -a " + host + " -s " + bound.getPort());
        out.println("              nvme connect -t tcp -a " + host + " -s " + bound.getPort() + " -n " + nqn);
    }

    private static String host(InetSocketAddress bound) {
        return bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}

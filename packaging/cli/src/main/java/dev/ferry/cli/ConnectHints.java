package dev.ferry.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;

/** Tells a person how to reach a running target with the common initiators. */
final class ConnectHints {
    private ConnectHints() {
    }

    /** @param bound where the iSCSI frontend really listens; a wildcard address is shown as 127.0.0.1 */
    static void print(PrintWriter out, InetSocketAddress bound, String iqn) {
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        String portal = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + bound.getPort();
        String url = "iscsi://" + portal;
        out.println("Connect with:");
        out.println("  open-iscsi: iscsiadm -m discovery -t st -p " + portal);
        out.println("              iscsiadm -m node -T " + iqn + " -p " + portal + " --login");
        out.println("  libiscsi:   iscsi-ls -s " + url);
        out.println("              iscsi-inq " + url + "/" + iqn + "/0");
        out.println("  qemu:       qemu-img convert -O raw image.raw " + url + "/" + iqn + "/0");
    }
}

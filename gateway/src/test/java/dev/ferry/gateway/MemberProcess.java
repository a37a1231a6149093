package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.RbdSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A gateway member in a JVM of its own, which a test can SIGSTOP, SIGCONT and SIGKILL: joins the group at
 * {@code args[0]} as {@code args[1]}, claims image {@code args[2]} and then writes to that image's data object
 * every 100 ms whatever its lease says, as a hung member's already queued writes would. It prints READY once it
 * owns the image, LOST when its lease lapsed and WRITE rc whenever a write's result differs from the one before.
 */
public final class MemberProcess {
    private MemberProcess() {
    }

    static String dataObject(String image) {
        return "data." + image;
    }

    public static void main(String[] args) throws Exception {
        // The test's JVM holds the other end of stdin: should it die without killing this one, EOF ends it too.
        Thread orphan = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent
                }
            } catch (java.io.IOException e) {
                // gone all the same
            }
            Runtime.getRuntime().halt(1);
        });
        orphan.setDaemon(true);
        orphan.start();
        RadosClient client = RadosClient.connect(RbdSpec.parse(args[0]));
        GatewayMember member = GatewayMember.join(client, args[1], List.of("127.0.0.1:3260"),
                MemberLeaseTest.TIMING, 0, () -> System.out.println("LOST"));
        member.ownership.claim(args[2]);
        System.out.println("READY");
        byte[] data = ("written by " + args[1]).getBytes(StandardCharsets.UTF_8);
        int last = 1;
        while (true) {
            int rc = Rados.rados_write(client.ioctx, dataObject(args[2]), data, data.length, 0);
            if (rc != last) {
                System.out.println("WRITE " + rc);
                last = rc;
            }
            Thread.sleep(100);
        }
    }
}

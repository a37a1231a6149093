package dev.ferry.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb as built: its metadata and files, then installed for real with dpkg into a scratch root (its own
 * admin directory), where the installed ferry serves a target configured through the installed CLI.
 */
class DebPackageTest {
    static final Path DEB = Path.of(System.getProperty("ferry.deb"));
    static final String IQN = "iqn.2026-11.dev.ferry:packaged";
    static final String INITIATOR = "iqn.2026-11.dev.ferry:test-initiator";

    @TempDir
    Path root;

    @Test
    void metadataNamesTheJavaRuntimeAndTheConffile() throws Exception {
        assertEquals("openjdk-17-jre-headless | java17-runtime-headless",
                Run.ok("dpkg-deb", "-f", DEB.toString(), "Depends").strip());
        Path control = root.resolve("control");
        Run.ok("dpkg-deb", "-e", DEB.toString(), control.toString());
        assertEquals("/etc/ferry/ferry.json", Files.readString(control.resolve("conffiles")).strip());
        String files = Run.ok("dpkg-deb", "-c", DEB.toString());
        for (String f : new String[] {"./usr/bin/ferry", "./lib/systemd/system/ferry.service", "./etc/ferry/ferry.json",
                "./usr/share/ferry/lib/ferry-cli-", "./usr/share/bash-completion/completions/ferry",
                "./usr/share/doc/ferry/README.md", "./usr/share/doc/ferry/ferry-help.txt", "./var/lib/ferry/"}) {
            assertTrue(files.contains(f), f + " missing:\n" + files);
        }
    }

    @Test
    void theServiceIsHardenedButKeepsRawDeviceAccess() throws Exception {
        Run.ok("dpkg-deb", "-x", DEB.toString(), root.toString());
        String unit = Files.readString(root.resolve("lib/systemd/system/ferry.service"));
        for (String line : new String[] {"ExecStart=/usr/bin/ferry serve --config /etc/ferry/ferry.json", "Restart=on-failure",
                "ProtectSystem=strict", "ReadWritePaths=/etc/ferry /var/lib/ferry", "NoNewPrivileges=yes", "PrivateTmp=yes",
                "ProtectHome=yes", "RuntimeDirectory=ferry"}) {
            assertTrue(unit.contains(line), line + " missing:\n" + unit);
        }
        assertTrue(unit.matches("(?s).*CapabilityBoundingSet=[^\n]*CAP_SYS_RAWIO[^\n]*CAP_NET_BIND_SERVICE.*"), unit);
        assertFalse(unit.matches("(?s).*\\n(PrivateDevices|DevicePolicy)=.*"), unit);
        String completion = Files.readString(root.resolve("usr/share/bash-completion/completions/ferry"));
        assertTrue(completion.contains("complete -F") && completion.contains("backstore"), "bash completion");
        String help = Files.readString(root.resolve("usr/share/doc/ferry/ferry-help.txt"));
        assertTrue(help.contains("==== ferry iscsi lun add") && help.contains("--chap-secret-file"), "help reference");
    }

    @Test
    void installedWithDpkgItServesWhatTheInstalledCliConfiguresAcrossARestart() throws Exception {
        Path admin = root.resolve("var/lib/dpkg");
        Files.createDirectories(admin.resolve("info"));
        Files.createDirectories(admin.resolve("updates"));
        Files.createFile(admin.resolve("status"));
        // Scripts run without chroot: the scratch root has no shell of its own (they only talk to systemd).
        String[] install = {"dpkg", "--root=" + root, "--force-depends", "--force-script-chrootless", "-i", DEB.toString()};
        Run.ok(install);
        assertTrue(Run.ok("dpkg", "--root=" + root, "-s", "ferry").contains("Status: install ok installed"));

        Path ferry = root.resolve("usr/bin/ferry");
        Path config = root.resolve("etc/ferry/ferry.json");
        assertTrue(Run.ok(ferry.toString(), "config", "validate", config.toString()).contains("is valid"));
        // Point the packaged default's state directory into the scratch root, as the admin of this root would.
        Files.writeString(config, Files.readString(config).replace("/var/lib/ferry", root.resolve("var/lib/ferry").toString()));
        Path socket = root.resolve("run/ferry/ferry.sock");
        String portal = "127.0.0.1:" + Run.freePort();
        Path disk = root.resolve("var/lib/ferry/disk0.img");
        try (InstalledDaemon d = InstalledDaemon.start(ferry, config, socket, root.resolve("daemon.log"))) {
            cli(ferry, socket, "backstore", "create", "file", "disk0", disk.toString(), "--size", "16M");
            cli(ferry, socket, "iscsi", "target", "create", IQN, "--portal", portal, "--acl", INITIATOR);
            cli(ferry, socket, "iscsi", "lun", "add", IQN, "disk0");
            assertTrue(iscsiLs(portal).contains("Lun:0"), iscsiLs(portal));
            assertFalse(Run.of("iscsi-ls", "-s", "iscsi://" + portal).output().contains("Lun:0"),
                    "an initiator outside the ACL sees no LUN");
        }
        Run.ok(install); // reinstalling keeps the admin's configuration (a changed conffile is never replaced)
        assertTrue(Files.readString(config).contains(IQN));
        try (InstalledDaemon d = InstalledDaemon.start(ferry, config, socket, root.resolve("daemon2.log"))) {
            String ls = iscsiLs(portal);
            assertTrue(ls.contains(IQN) && ls.contains("Lun:0") && ls.contains("(Size:15M)"), ls);
            String info = Run.ok("qemu-img", "info", "--image-opts", "driver=iscsi,transport=tcp,portal=" + portal
                    + ",target=" + IQN + ",lun=0,initiator-name=" + INITIATOR);
            assertTrue(info.contains("virtual size: 16 MiB"), info);
            assertTrue(cli(ferry, socket, "status").contains("disk0"));
        }
    }

    private static String iscsiLs(String portal) throws Exception {
        return Run.ok("iscsi-ls", "-s", "-i", INITIATOR, "iscsi://" + portal);
    }

    private static String cli(Path ferry, Path socket, String... args) throws Exception {
        String[] argv = new String[args.length + 3];
        argv[0] = ferry.toString();
        System.arraycopy(args, 0, argv, 1, args.length);
        argv[args.length + 1] = "--control-socket";
        argv[args.length + 2] = socket.toString();
        return Run.ok(argv);
    }
}

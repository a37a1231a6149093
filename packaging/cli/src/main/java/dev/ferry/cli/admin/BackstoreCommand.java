package dev.ferry.cli.admin;

import dev.ferry.backend.rbd.RbdCatalog;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.control.ControlRequest;
import dev.ferry.cli.control.ControlResponse;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "backstore", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = "Create, resize, delete and list backstores: the storage that LUNs and namespaces serve.",
        subcommands = {BackstoreCommand.Create.class, BackstoreCommand.Resize.class, BackstoreCommand.Delete.class,
                BackstoreCommand.ListAll.class})
public final class BackstoreCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Create a backstore and open it now.",
                    "  ferry backstore create ram scratch --size 10G",
                    "  ferry backstore create file disk0 /var/lib/ferry/disk0.img --size 100G",
                    "  ferry backstore create block nvme0 /dev/disk/by-id/nvme-...",
                    "  ferry backstore create rbd vm1 rbd/vm1 --size 20G --conf /etc/ceph/ceph.conf --id ferry"})
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TYPE", completionCandidates = Types.class,
                description = "backend type: ${COMPLETION-CANDIDATES} (what this daemon has)")
        String type;
        @Parameters(index = "1", paramLabel = "NAME", description = "unique name, 1-64 of A-Z a-z 0-9 . _ : -")
        String name;
        @Parameters(index = "2", arity = "0..1", paramLabel = "PATH", description = "backing file or device (file, block; scsi and ata: /dev/sgN or /dev/sdX); rbd: POOL/IMAGE")
        String path;
        @Option(names = "--size", paramLabel = "SIZE", description = "capacity: 1073741824, 512M, 10G, 2T (required for ram, a new file and a new rbd image)")
        String size;
        @Option(names = "--block-size", paramLabel = "N", description = "logical block size, 512 (default) or 4096")
        Integer blockSize;
        @Option(names = "--read-only", description = "export it write-protected")
        boolean readOnly;
        @Option(names = "--no-write-cache", description = "force every write to stable storage before it completes")
        boolean noWriteCache;
        @Option(names = "--workers", paramLabel = "N", description = "backend worker threads (default: the backend's choice)")
        Integer workers;
        @Option(names = "--queue-depth", paramLabel = "N",
                description = "requests in flight to the device, 1-1024 (default 32)")
        Integer queueDepth;
        @Option(names = "--conf", paramLabel = "FILE", description = "rbd: the ceph.conf (default: /etc/ceph/ceph.conf)")
        Path conf;
        @Option(names = "--id", paramLabel = "CLIENT", description = "rbd: the Ceph client id (default: admin)")
        String id;
        @Option(names = "--keyring", paramLabel = "FILE", description = "rbd: the client's keyring (default: the conf's)")
        Path keyring;
        @Option(names = "--namespace", paramLabel = "NS", description = "rbd: the RADOS namespace of the image in its pool")
        String namespace;

        @Override
        public Integer call() {
            BackstoreConfig b = new BackstoreConfig(name, type, size, path(), blockSize, null,
                    readOnly ? Boolean.TRUE : null, noWriteCache ? Boolean.FALSE : null, workers, queueDepth, null);
            return new AdminCall(spec, admin).change("backstore " + name + " created",
                    c -> ConfigEdits.addBackstore(c, b));
        }

        /** A file or device as an absolute path; an rbd image as {@link RbdCatalog#path} spells it. */
        private String path() {
            boolean rbd = "rbd".equals(type);
            if (!rbd && (conf != null || id != null || keyring != null || namespace != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--conf, --id, --keyring and --namespace are for rbd backstores");
            }
            if (path == null) {
                return null;
            }
            if (!rbd) {
                return Path.of(path).toAbsolutePath().toString();
            }
            int slash = path.indexOf('/');
            if (slash <= 0 || path.indexOf(':') >= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "an rbd PATH is POOL/IMAGE (got '" + path
                        + "'); give the namespace with --namespace");
            }
            return RbdCatalog.path(path.substring(0, slash), namespace, path.substring(slash + 1), absolute(conf), id,
                    absolute(keyring));
        }

        private static String absolute(Path p) {
            return p == null ? null : p.toAbsolutePath().toString();
        }
    }

    static final class Types extends java.util.ArrayList<String> {
        Types() {
            super(java.util.List.of("ram", "file", "block", "scsi", "ata", "rbd"));
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Resize a backstore live; initiators are told (SCSI CAPACITY DATA HAS CHANGED, NVMe"
                    + " Namespace Attribute Changed event).",
                    "  ferry backstore resize scratch 20G        ram or file: the new size (a file grows sparsely)",
                    "  ferry backstore resize nvme0              block: re-read the device's size after growing it"})
    static final class Resize implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "SIZE",
                description = "new capacity: 1073741824, 512M, 10G, 2T; omit it for a block backstore")
        String size;
        @Option(names = "--allow-shrink", description = "allow a smaller size: the data past the new end is lost;"
                + " refused while a LUN or namespace maps the backstore")
        boolean allowShrink;

        @Override
        public Integer call() {
            if (size != null) {
                return new AdminCall(spec, admin).change("backstore " + name + " resized to " + size,
                        c -> ConfigEdits.resizeBackstore(c, name, size), allowShrink);
            }
            if (allowShrink) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--allow-shrink needs a SIZE");
            }
            AdminCall call = new AdminCall(spec, admin);
            return call.exchange(() -> {
                ControlResponse r = call.request(new ControlRequest(ControlRequest.REREAD_CAPACITY, null, null, name,
                        null));
                if (admin.json()) {
                    call.print(r.status());
                } else {
                    call.out().println("ferry: backstore " + name + " has " + r.status().get("capacityBytes").asLong()
                            + " bytes");
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Delete a backstore no LUN or namespace uses; it is closed after its requests completed.")
    static final class Delete implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("backstore " + name + " deleted",
                    c -> ConfigEdits.deleteBackstore(c, name));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "List the backstores.")
    static final class ListAll implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            AdminCall call = new AdminCall(spec, admin);
            return call.exchange(() -> {
                FerryConfig c = call.request(ControlRequest.of(ControlRequest.GET_CONFIG)).config();
                if (admin.json()) {
                    call.print(c.backstores());
                    return ExitCodes.OK;
                }
                call.out().printf("%-20s %-6s %-10s %s%n", "NAME", "TYPE", "SIZE", "PATH");
                for (BackstoreConfig b : c.backstores()) {
                    call.out().printf("%-20s %-6s %-10s %s%n", b.name(), b.type(), b.size() == null ? "-" : b.size(),
                            b.path() == null ? "-" : b.path());
                }
                return ExitCodes.OK;
            });
        }
    }
}

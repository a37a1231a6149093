package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.backend.rbd.RbdCatalog;
import dev.ferry.backend.rbd.RbdImageInfo;
import dev.ferry.cli.admin.AdminOptions;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.DeviceTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry rbd}: what a Ceph cluster offers the rbd backstore, read from the cluster without a daemon. */
@Command(name = "rbd", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Inspect a Ceph cluster's RBD images (for `ferry backstore create rbd`).",
        subcommands = {RbdCommand.Ls.class})
final class RbdCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (ls)");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"List the images of a pool with their sizes, as `ferry devices` lists disks.",
                    "  ferry rbd ls rbd",
                    "  ferry rbd ls rbd/tenant1 --conf /etc/ceph/ceph.conf --id ferry"})
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "POOL[/NAMESPACE]", description = "the pool, and optionally a RADOS namespace in it")
        String pool;
        @Option(names = "--conf", paramLabel = "FILE", description = "the ceph.conf (default: /etc/ceph/ceph.conf)")
        Path conf;
        @Option(names = "--id", paramLabel = "CLIENT", description = "the Ceph client id (default: admin)")
        String id;
        @Option(names = "--keyring", paramLabel = "FILE", description = "the client's keyring (default: the conf's)")
        Path keyring;
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json (default ${DEFAULT-VALUE})")
        AdminOptions.Output output;

        @Override
        public Integer call() throws Exception {
            int slash = pool.indexOf('/');
            List<RbdImageInfo> images;
            try {
                images = RbdCatalog.images(slash < 0 ? pool : pool.substring(0, slash),
                        slash < 0 ? null : pool.substring(slash + 1), absolute(conf), id, absolute(keyring));
            } catch (BackendException e) {
                spec.commandLine().getErr().println("ferry: " + e.getMessage());
                return ExitCodes.START_FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == AdminOptions.Output.json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(images));
            } else {
                out.printf("%-40s %10s%n", "NAME", "SIZE");
                for (RbdImageInfo i : images) {
                    out.printf("%-40s %10s%n", i.name(), DeviceTable.humanSize(i.sizeBytes()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    static String absolute(Path p) {
        return p == null ? null : p.toAbsolutePath().toString();
    }
}

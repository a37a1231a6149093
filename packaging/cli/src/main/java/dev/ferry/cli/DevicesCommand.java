package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.cli.admin.AdminOptions;
import dev.ferry.core.backend.DeviceCatalog;
import dev.ferry.core.backend.DeviceInfo;
import dev.ferry.core.backend.DeviceTable;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry devices}: the machine's block devices as the backends would describe them, read from sysfs and
 * /proc without opening any device, so it is safe on a production host and needs no running daemon.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = {"List this machine's block devices with what the block, scsi and ata backends would report:",
                "size, block sizes, rotational, discard, write cache, model, serial, whether mounted or in use,",
                "which backends can drive it, and stable /dev/disk/by-id paths to use in a configuration."})
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default ${DEFAULT-VALUE})")
    AdminOptions.Output output;

    @Override
    public Integer call() throws Exception {
        List<DeviceInfo> devices = DeviceCatalog.all();
        if (output == AdminOptions.Output.json) {
            spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(devices));
        } else {
            spec.commandLine().getOut().print(DeviceTable.render(devices));
            spec.commandLine().getOut().flush(); // print does not autoflush, and main exits right after
        }
        return ExitCodes.OK;
    }
}

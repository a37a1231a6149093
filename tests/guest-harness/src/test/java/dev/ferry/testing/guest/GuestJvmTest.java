package dev.ferry.testing.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every guest that GuestJvm boots runs under single-threaded TCG. Checked against stand-in VM scripts: the fake
 * run-guest.sh writes the TCG threading it was given into its console log, so no VM boots here.
 */
class GuestJvmTest {
    @TempDir
    Path dir;

    @Test
    void theGuestRunsUnderSingleThreadedTcg() throws Exception {
        Path vm = Files.createDirectories(dir.resolve("initiator-vm"));
        script(vm.resolve("build-image.sh"), "exit 0");
        // --log FILE is among the options; the console is what the scenario would have printed.
        script(vm.resolve("run-guest.sh"), """
                while [ $# -gt 0 ]; do [ "$1" = --log ] && log=$2; shift; done
                echo "tcg=${INITVM_TCG_THREAD:-unset}" > "$log"
                """);
        Path stage = Files.createDirectories(dir.resolve("stage"));
        GuestJvm guest = GuestJvm.prepare(vm, stage, "nothing");
        Path scenario = Files.writeString(stage.resolve("scenario.sh"), "true\n");
        GuestJvm.Result run = guest.run(scenario, List.of("--smp", "2"), dir.resolve("console.log"), 30);
        assertEquals(0, run.exitCode(), run::tail);
        assertEquals("tcg=single", run.console().strip());
    }

    private static void script(Path p, String body) throws Exception {
        Files.writeString(p, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

package dev.ferry.cli.admin;

import dev.ferry.cli.control.ControlRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a secret comes from: a file the daemon reads (its path goes into the configuration), or {@code -} for
 * standard input, which the daemon stores in a 0600 file beside its configuration. Never an argument.
 */
final class SecretInput {
    private SecretInput() {
    }

    /** @return the secret file's absolute path, as the configuration names it */
    static String resolve(AdminCall call, String fileOrDash, String storeAs, InputStream stdin)
            throws IOException, AdminCall.DaemonFailure {
        if (!"-".equals(fileOrDash)) {
            return Path.of(fileOrDash).toAbsolutePath().toString();
        }
        String secret = new String(stdin.readNBytes(4096), StandardCharsets.UTF_8).strip();
        return call.request(new ControlRequest(ControlRequest.STORE_SECRET, null, null, storeAs, secret)).path();
    }
}

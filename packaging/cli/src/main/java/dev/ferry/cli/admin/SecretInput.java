package dev.ferry.cli.admin;

import dev.ferry.cli.control.ControlRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

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
        return resolve(call, fileOrDash, storeAs, stdin, secret -> { });
    }

    /**
     * As {@link #resolve(AdminCall, String, String, InputStream)}, a secret from standard input first passing
     * {@code check} (which throws IllegalArgumentException, its message never quoting the secret); a file is
     * checked by the daemon, which reads it. A null {@code fileOrDash} gives null.
     */
    static String resolve(AdminCall call, String fileOrDash, String storeAs, InputStream stdin,
                          Consumer<String> check) throws IOException, AdminCall.DaemonFailure {
        if (fileOrDash == null) {
            return null;
        }
        if (!"-".equals(fileOrDash)) {
            return Path.of(fileOrDash).toAbsolutePath().toString();
        }
        String secret = new String(stdin.readNBytes(4096), StandardCharsets.UTF_8).strip();
        check.accept(secret);
        return call.request(new ControlRequest(ControlRequest.STORE_SECRET, null, null, storeAs, secret)).path();
    }
}

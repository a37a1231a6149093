package dev.ferry.cli.admin;

import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.control.ControlClient;
import dev.ferry.cli.control.ControlJson;
import dev.ferry.cli.control.ControlRequest;
import dev.ferry.cli.control.ControlResponse;
import dev.ferry.cli.control.DaemonUnreachableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Runs admin requests against the daemon and turns the outcome into output and an exit code. */
final class AdminCall {
    /** Attempts when another admin changed the configuration between our read and our write. */
    private static final int ATTEMPTS = 5;

    private final AdminOptions options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ControlClient client;

    AdminCall(CommandSpec spec, AdminOptions options) {
        this.options = options;
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
        this.client = new ControlClient(options.controlSocket);
    }

    PrintWriter out() {
        return out;
    }

    /**
     * Reads the running configuration, applies {@code edit} and sends the result; says {@code done} on success.
     *
     * @return the exit code
     */
    int change(String done, ConfigEdit edit) {
        return change(done, edit, false);
    }

    /** As {@link #change(String, ConfigEdit)}; {@code allowShrink} lets a backstore whose size went down shrink. */
    int change(String done, ConfigEdit edit, boolean allowShrink) {
        return exchange(() -> {
            for (int attempt = 1; ; attempt++) {
                ControlResponse current = request(ControlRequest.of(ControlRequest.GET_CONFIG));
                FerryConfig next;
                try {
                    next = edit.apply(current.config());
                } catch (Refused e) {
                    return fail(ExitCodes.INVALID_CONFIG, ControlResponse.REFUSED, List.of(e.getMessage()));
                }
                ControlResponse r = client.call(new ControlRequest(ControlRequest.APPLY_CONFIG, current.revision(),
                        next, null, null, allowShrink ? Boolean.TRUE : null));
                if (r.ok()) {
                    if (options.json()) {
                        print(r);
                    } else {
                        out.println("ferry: " + done);
                    }
                    return ExitCodes.OK;
                }
                if (!ControlResponse.CONFLICT.equals(r.error()) || attempt == ATTEMPTS) {
                    return fail(r);
                }
            }
        });
    }

    /** A command's talk with the daemon, ending in its exit code. */
    interface Exchange {
        int run() throws IOException, DaemonFailure;
    }

    /** Runs {@code exchange}; a refused request or an unreachable daemon ends it with their exit code. */
    int exchange(Exchange exchange) {
        try {
            return exchange.run();
        } catch (DaemonFailure f) {
            return f.exitCode;
        } catch (IOException e) {
            return unreachable(e);
        }
    }

    /** Sends one request; failures are printed and end the command through {@link DaemonFailure}. */
    ControlResponse request(ControlRequest request) throws IOException, DaemonFailure {
        ControlResponse r = client.call(request);
        if (!r.ok()) {
            throw new DaemonFailure(fail(r));
        }
        return r;
    }

    /** A command refused before anything was sent (its options contradict each other); nothing changed. */
    int refuse(String why) {
        return fail(ExitCodes.INVALID_CONFIG, ControlResponse.REFUSED, List.of(why));
    }

    int unreachable(IOException e) {
        err.println("ferry: " + (e instanceof DaemonUnreachableException ? "" : "control socket " + client.socket()
                + ": ") + e.getMessage());
        err.flush();
        return ExitCodes.DAEMON_UNREACHABLE;
    }

    void print(Object value) {
        try {
            out.println(ControlJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private int fail(ControlResponse r) {
        int code = ControlResponse.FAILED.equals(r.error()) ? ExitCodes.START_FAILED : ExitCodes.INVALID_CONFIG;
        return fail(code, r.error(), r.problems());
    }

    private int fail(int code, String error, List<String> problems) {
        if (options.json()) {
            print(ControlResponse.error(error, problems));
        } else {
            String why = ControlResponse.FAILED.equals(error) ? "could not apply the change (nothing changed)"
                    : "change refused (nothing changed)";
            err.println("ferry: " + why + ":");
            problems.forEach(p -> err.println("  - " + p));
            err.flush();
        }
        return code;
    }

    /** A request the daemon refused, already reported. */
    static final class DaemonFailure extends Exception {
        final int exitCode;

        DaemonFailure(int exitCode) {
            super(null, null, false, false);
            this.exitCode = exitCode;
        }
    }
}

package dev.ferry.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A command run to completion under timeout(1), with its combined output. */
record Run(int exitCode, String output) {
    static Run of(String... argv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("timeout", "120"));
        command.addAll(List.of(argv));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    /** Runs and insists on exit 0. */
    static String ok(String... argv) throws IOException, InterruptedException {
        Run r = of(argv);
        if (r.exitCode != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode + ":\n" + r.output);
        }
        return r.output;
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

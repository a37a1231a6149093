package dev.ferry.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An external command run to completion under timeout(1), with its combined output. */
record Tool(int exitCode, String output) {
    static Tool withInput(String stdin, String... argv) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("timeout", "60"));
        command.addAll(List.of(argv));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
        return new Tool(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Tool run(String... argv) throws IOException, InterruptedException {
        return withInput(null, argv);
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

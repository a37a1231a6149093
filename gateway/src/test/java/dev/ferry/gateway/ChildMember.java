package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link MemberProcess} started by a test, with the lines it printed, to be stopped, continued and killed. */
final class ChildMember implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    private ChildMember(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("EOF " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts member {@code member} of the group at {@code path}, owning {@code image}, and waits until it writes. */
    static ChildMember start(String path, String member, String image) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ChildMember c = new ChildMember(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                MemberProcess.class.getName(), path, member, image).redirectErrorStream(true).start());
        Await.until("the child owns " + image + " and writes: " + c.lines, () -> c.lines.contains("READY")
                && c.lines.contains("WRITE 0"));
        return c;
    }

    void signal(String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
                .waitFor());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}

package dev.ferry.backend.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mount points by device number, from /proc/self/mountinfo (proc(5)): field 3 is "major:minor" of the mounted
 * device, field 5 the mount point, with spaces and the like escaped as octal.
 */
public final class MountInfo {
    public static final Path SELF = Paths.get("/proc/self/mountinfo");

    private MountInfo() {
    }

    public static Map<String, List<String>> byDevice() throws IOException {
        return parse(Files.readAllLines(SELF));
    }

    static Map<String, List<String>> parse(List<String> lines) {
        Map<String, List<String>> m = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                m.computeIfAbsent(f[2], k -> new ArrayList<>()).add(unescape(f[4]));
            }
        }
        return m;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

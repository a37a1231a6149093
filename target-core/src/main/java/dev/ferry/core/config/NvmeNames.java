package dev.ferry.core.config;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks NVMe Qualified Names (NVMe Base 2.0 section 4.5): {@code nqn.yyyy-mm.reverse.domain:anything}, or the
 * UUID form {@code nqn.2014-08.org.nvmexpress:uuid:<uuid>}; at most 223 bytes of UTF-8.
 */
public final class NvmeNames {
    public static final int MAX_LENGTH = 223;
    private static final Pattern NQN = Pattern.compile("nqn\\.\\d{4}-\\d{2}\\.[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:.+)?");

    private NvmeNames() {
    }

    /** @return null when valid, else the reason */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is missing";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " bytes (NVMe Base 2.0 4.5)";
        }
        if (NQN.matcher(name).matches()) {
            return null;
        }
        return "'" + name + "' is not an NVMe qualified name (nqn.YYYY-MM.reversed.domain:id)";
    }
}

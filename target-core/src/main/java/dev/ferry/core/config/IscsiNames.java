package dev.ferry.core.config;

import java.util.regex.Pattern;

/** Checks iSCSI names against RFC 7143 section 4.2.7 (iqn., eui., naa. formats; at most 223 bytes). */
public final class IscsiNames {
    public static final int MAX_LENGTH = 223;
    private static final Pattern IQN = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[^\\s]*)?");
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9A-Fa-f]{16}");
    private static final Pattern NAA = Pattern.compile("naa\\.([0-9A-Fa-f]{16}|[0-9A-Fa-f]{32})");

    private IscsiNames() {
    }

    /** @return null when valid, else the reason */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is missing";
        }
        if (name.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " bytes (RFC 7143 4.2.7)";
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (IQN.matcher(lower).matches() || EUI.matcher(name).matches() || NAA.matcher(name).matches()) {
            return null;
        }
        return "'" + name + "' is not an iSCSI name (iqn.YYYY-MM.reversed.domain[:id], eui.<16 hex>, naa.<16|32 hex>)";
    }
}

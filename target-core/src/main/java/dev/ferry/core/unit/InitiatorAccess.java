package dev.ferry.core.unit;

import dev.ferry.core.config.DhchapKey;
import java.util.Set;

/**
 * What one listed initiator may do on an export: its CHAP credentials (secrets already read from their files) and
 * the units it sees.
 *
 * @param initiator    initiator name as configured
 * @param chap         what the initiator must prove (one-way CHAP), or null for no authentication
 * @param mutualChap   what the target proves when asked (mutual CHAP), or null
 * @param visibleUnits the unit numbers this initiator sees, or null for all of the export's units
 * @param dhchap       the NVMe host's DH-HMAC-CHAP secrets, or null for no in-band authentication
 */
public record InitiatorAccess(String initiator, ChapCredentials chap, ChapCredentials mutualChap,
                              Set<Long> visibleUnits, DhchapSecrets dhchap) {

    public InitiatorAccess(String initiator, ChapCredentials chap, ChapCredentials mutualChap,
                           Set<Long> visibleUnits) {
        this(initiator, chap, mutualChap, visibleUnits, null);
    }

    /**
     * An NVMe host's DH-HMAC-CHAP secrets (NVMe Base 2.0 8.13.5): what the host proves it knows, and the
     * controller's own for a host that asks for bidirectional authentication (null: the controller cannot prove
     * itself, and such a host is refused). {@link #toString()} never shows them.
     */
    public record DhchapSecrets(DhchapKey host, DhchapKey controller) {
        @Override
        public String toString() {
            return "DhchapSecrets[host=(hidden), controller=" + (controller == null ? "none" : "(hidden)") + "]";
        }
    }

    /** A CHAP user name and secret. {@link #toString()} never shows the secret. */
    public record ChapCredentials(String user, byte[] secret) {
        @Override
        public String toString() {
            return "ChapCredentials[user=" + user + ", secret=(hidden)]";
        }
    }

    /** Access with no authentication and no LUN mask. */
    public static InitiatorAccess open(String initiator) {
        return new InitiatorAccess(initiator, null, null, null, null);
    }

    public boolean sees(long unit) {
        return visibleUnits == null || visibleUnits.contains(unit);
    }
}

package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One initiator allowed to use a target, with its optional CHAP credentials and LUN mask.
 *
 * @param initiator            the initiator's name (iSCSI IQN/EUI/NAA name, or an NVMe host NQN)
 * @param chapUser             CHAP user name the initiator must present (RFC 7143 12.1.3); with chapSecretFile
 * @param chapSecretFile       file holding the secret the initiator proves it knows (never the secret itself, so
 *                             it stays out of the config file, argv and logs)
 * @param mutualChapUser       user name the target presents when the initiator asks for mutual CHAP
 * @param mutualChapSecretFile file holding the target's secret for mutual CHAP
 * @param luns                 LUN mask: the unit numbers this initiator sees; absent = all of the target's units
 * @param dhchapSecretFile     NVMe only: file holding the host's DH-HMAC-CHAP secret (DHHC-1 text, {@link
 *                             DhchapKey}); when set the host must authenticate in band on every queue
 * @param dhchapCtrlSecretFile NVMe only: file holding the controller's DH-HMAC-CHAP secret, for a host that asks
 *                             the controller to authenticate too (bidirectional)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AclConfig(
        String initiator,
        String chapUser,
        String chapSecretFile,
        String mutualChapUser,
        String mutualChapSecretFile,
        List<Long> luns,
        String dhchapSecretFile,
        String dhchapCtrlSecretFile) {

    public AclConfig(String initiator) {
        this(initiator, null, null, null, null, null);
    }

    /** An entry without DH-HMAC-CHAP secrets. */
    public AclConfig(String initiator, String chapUser, String chapSecretFile, String mutualChapUser,
                     String mutualChapSecretFile, List<Long> luns) {
        this(initiator, chapUser, chapSecretFile, mutualChapUser, mutualChapSecretFile, luns, null, null);
    }

    public AclConfig {
        luns = luns == null ? null : List.copyOf(luns);
    }
}

package dev.ferry.frontend.iscsi.login;

import dev.ferry.core.unit.InitiatorAccess;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;

/**
 * Which AuthMethods (RFC 7143 6.3.1, 12.1) a login may use, decided once the initiator and its target are known.
 */
@FunctionalInterface
public interface AuthPolicy {

    /**
     * @param access the initiator's ACL entry on the target of a Normal session; null for a Discovery session
     * @return the acceptable methods; the initiator's offer picks among them
     */
    List<Authenticator> methods(InitiatorAccess access);

    /**
     * CHAP, and nothing else, when the initiator's ACL entry has CHAP credentials; otherwise None. Discovery
     * sessions are never authenticated: they reveal only the targets an initiator name is admitted to.
     */
    static AuthPolicy fromAcl(Random random) {
        return access -> access != null && access.chap() != null
                ? List.of(new ChapAuthenticator(access.chap(), access.mutualChap(), random))
                : List.of(Authenticator.NONE);
    }

    AuthPolicy DEFAULT = fromAcl(new SecureRandom());
}

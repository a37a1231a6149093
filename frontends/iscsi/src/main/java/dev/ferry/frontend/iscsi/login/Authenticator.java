package dev.ferry.frontend.iscsi.login;

import java.util.List;
import java.util.Map;

/**
 * One AuthMethod of the security negotiation stage (RFC 7143 6.3.1, 12.1): {@link #NONE}, or a
 * {@link ChapAuthenticator} for one login, which exchanges CHAP_A/CHAP_I/CHAP_C/CHAP_N/CHAP_R over several Login
 * Request/Response round trips.
 */
public interface Authenticator {

    /** The AuthMethod value this implements ({@code None}, {@code CHAP}). */
    String method();

    /** What was negotiated, for the login log line (e.g. {@code CHAP/MD5+mutual}); never a secret. */
    default String describe() {
        return method();
    }

    /**
     * Handles the security keys of one request after this method was selected.
     *
     * @param keys     the request's authentication keys (AuthMethod excluded)
     * @param response where to add response keys
     * @return true once the initiator is authenticated (the stage may transit)
     * @throws LoginException with {@code AUTHENTICATION_FAILURE} when it is not
     */
    boolean step(List<Map.Entry<String, String>> keys, List<Map.Entry<String, String>> response) throws LoginException;

    /** AuthMethod=None: nothing to exchange. */
    Authenticator NONE = new Authenticator() {
        @Override
        public String method() {
            return "None";
        }

        @Override
        public boolean step(List<Map.Entry<String, String>> keys, List<Map.Entry<String, String>> response) {
            return true;
        }
    };
}

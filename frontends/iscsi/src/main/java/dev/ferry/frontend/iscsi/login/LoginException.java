package dev.ferry.frontend.iscsi.login;

/** A login that must end with a non-zero Status-Class (RFC 7143 11.13.5); the connection then closes. */
public final class LoginException extends Exception {
    private final int status;

    public LoginException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** Status-Class &lt;&lt; 8 | Status-Detail. */
    public int status() {
        return status;
    }
}

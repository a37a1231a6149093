package dev.ferry.frontend.nvme.auth;

/** A message the controller refuses: ends the transaction with AUTH_Failure1 carrying this explanation. */
public final class AuthFailure extends Exception {
    private final int explanation;

    AuthFailure(int explanation, String why) {
        super(why, null, false, false);
        this.explanation = explanation;
    }

    public int explanation() { return explanation; }
}

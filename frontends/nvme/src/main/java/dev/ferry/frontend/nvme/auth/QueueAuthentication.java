package dev.ferry.frontend.nvme.auth;

import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.frontend.nvme.Controller;
import io.netty.buffer.ByteBuf;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of DH-HMAC-CHAP on one queue (NVMe Base 2.0 8.13.5, TP 8006: the admin queue and every I/O
 * queue authenticate on their own). Transaction: AUTH_Negotiate (Send) -> Challenge (Receive) -> Reply (Send) ->
 * Success1 (Receive) [-> Success2 or Failure2 (Send), bidirectional]; a refused message moves to FAILURE1, whose
 * Failure1 the next Receive returns before the queue closes. A new AUTH_Negotiate on an authenticated queue starts
 * a re-authentication; the queue stays usable meanwhile and closes if that fails. Every transaction must end by an
 * absolute deadline, which the keep-alive timer enforces ({@link #expired}). {@link #send} and {@link #receive} run
 * on an {@link AuthWorkers} thread, one at a time per queue ({@link #begin}/{@link #finish} on the queue's loop
 * bracket each, and the hand-overs order their memory); {@link #authenticated()} and {@link #expired} read
 * volatile fields from anywhere.
 */
public final class QueueAuthentication {
    private static final Logger LOG = LoggerFactory.getLogger(QueueAuthentication.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The controller's choices, first match wins: the host's list order carries no preference. */
    private static final List<DhchapHash> HASH_PREFERENCE = List.of(DhchapHash.SHA512, DhchapHash.SHA384,
            DhchapHash.SHA256);
    /**
     * Any DH group defeats a passive dictionary attack on the secret; the smallest costs least on the event loop, so
     * it comes first, the null group last (a host that offers only null gets plain HMAC-CHAP).
     */
    private static final List<DhGroup> GROUP_PREFERENCE = List.of(DhGroup.FFDHE2048, DhGroup.FFDHE3072,
            DhGroup.FFDHE4096, DhGroup.FFDHE6144, DhGroup.FFDHE8192, DhGroup.NULL);

    enum State { NEGOTIATE, CHALLENGE, REPLY, SUCCESS1, SUCCESS2, FAILURE1, DONE }

    /** What a Receive returns, and whether the queue closes once it is sent. */
    record Response(ByteBuf message, boolean closeAfter) {
    }

    private final Controller controller;
    private final String hostNqn;
    private final String subsystemNqn;
    private State state = State.NEGOTIATE;
    /** An authentication command of this queue is with a worker (queue's loop only). */
    private boolean busy;
    private volatile boolean authenticated;
    private volatile long deadlineNanos;
    private int tid;
    private int failure;
    private DhchapHash hash;
    private DhGroup group;
    private BigInteger privateExponent;
    private byte[] c1;
    private long s1;
    private InitiatorAccess.DhchapSecrets secrets;
    private byte[] controllerResponse;

    /** A queue that must authenticate before {@code nowNanos} plus the transaction timeout. */
    public QueueAuthentication(Controller controller, long nowNanos) {
        this.controller = controller;
        this.hostNqn = controller.hostNqn();
        this.subsystemNqn = controller.subsystemNqn();
        this.deadlineNanos = nowNanos + AuthSpec.TRANSACTION_TIMEOUT_MILLIS * 1_000_000L;
    }

    /** Whether the queue may run other commands: authenticated once (a re-authentication under way keeps it). */
    public boolean authenticated() { return authenticated; }

    /** The queue's loop hands a command to a worker: false while another one is there. */
    boolean begin() {
        if (busy) {
            return false;
        }
        busy = true;
        return true;
    }

    /** The worker's command is back on the queue's loop. */
    void finish() {
        busy = false;
    }

    /** Whether a transaction outlived its deadline (any thread). */
    public boolean expired(long nowNanos) {
        long d = deadlineNanos;
        return d != NO_DEADLINE && nowNanos - d > 0;
    }

    /**
     * An Authentication Send's message. The command itself succeeds either way (as in nvmet and SPDK): a refusal
     * shows in the Failure1 the next Receive returns. True when the queue must close after the completion (the
     * host refused the controller with AUTH_Failure2).
     */
    boolean send(ByteBuf m, long nowNanos) {
        try {
            if (m.readableBytes() < 8) {
                throw new AuthFailure(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, "message shorter than its header");
            }
            int type = Messages.type(m);
            int id = Messages.id(m);
            if (type == AuthSpec.TYPE_COMMON && id == AuthSpec.ID_NEGOTIATE
                    && (state == State.NEGOTIATE || state == State.DONE)) {
                negotiate(Negotiate.decode(m), nowNanos);
            } else if (state == State.REPLY && type == AuthSpec.TYPE_DHCHAP && id == AuthSpec.ID_REPLY) {
                reply(Reply.decode(m, hash, group));
            } else if (state == State.SUCCESS2 && type == AuthSpec.TYPE_DHCHAP && id == AuthSpec.ID_SUCCESS2) {
                checkTid(Success2.decode(m).tid());
                done();
            } else if (state == State.SUCCESS2 && type == AuthSpec.TYPE_COMMON && id == AuthSpec.ID_FAILURE2) {
                Failure f = Failure.decode(m);
                checkTid(f.tid());
                LOG.warn("nvme host {} did not accept controller authentication for {} (explanation {})", hostNqn,
                        subsystemNqn, f.explanation());
                end();
                return true;
            } else {
                throw new AuthFailure(AuthSpec.EXPLANATION_INCORRECT_PROTOCOL_MESSAGE,
                        "message type " + type + " id " + id + " unexpected in state " + state);
            }
        } catch (AuthFailure e) {
            fail(e);
        }
        return false;
    }

    /** An Authentication Receive: the message the current state owes the host. */
    Response receive() {
        switch (state) {
            case CHALLENGE -> {
                return new Response(challenge(), false);
            }
            case SUCCESS1 -> {
                ByteBuf m = new Success1(tid, hash.length(), controllerResponse).encode();
                if (controllerResponse == null) {
                    done();
                } else {
                    state = State.SUCCESS2;
                }
                return new Response(m, false);
            }
            case FAILURE1 -> {
                end();
                return new Response(Failure.failure1(tid, failure).encode(), true);
            }
            default -> {
                LOG.info("nvme host {}: Authentication Receive unexpected in state {}", hostNqn, state);
                end();
                return new Response(Failure.failure1(tid, AuthSpec.EXPLANATION_INCORRECT_PROTOCOL_MESSAGE).encode(),
                        true);
            }
        }
    }

    private void negotiate(Negotiate n, long nowNanos) throws AuthFailure {
        if (state == State.DONE) {
            deadlineNanos = nowNanos + AuthSpec.TRANSACTION_TIMEOUT_MILLIS * 1_000_000L; // re-authentication
        }
        tid = n.tid();
        if (n.scC() != 0) {
            throw new AuthFailure(AuthSpec.EXPLANATION_CONCAT_MISMATCH, "secure channel concatenation requested");
        }
        // The secrets as configured now: a re-authentication after a secret change uses the new one.
        InitiatorAccess access = controller.export() == null ? null : controller.export().access(hostNqn);
        secrets = access == null ? null : access.dhchap();
        if (secrets == null) {
            throw new AuthFailure(AuthSpec.EXPLANATION_FAILED, "no DH-HMAC-CHAP secret configured for the host");
        }
        hash = HASH_PREFERENCE.stream().filter(h -> offered(n.hashIds(), h.id())).findFirst().orElse(null);
        if (hash == null) {
            throw new AuthFailure(AuthSpec.EXPLANATION_HASH_UNUSABLE, "no supported hash offered");
        }
        group = GROUP_PREFERENCE.stream().filter(g -> offered(n.dhGroupIds(), g.id())).findFirst().orElse(null);
        if (group == null) {
            throw new AuthFailure(AuthSpec.EXPLANATION_DHGROUP_UNUSABLE, "no supported DH group offered");
        }
        state = State.CHALLENGE;
    }

    private static boolean offered(byte[] ids, int id) {
        for (byte b : ids) {
            if ((b & 0xFF) == id) {
                return true;
            }
        }
        return false;
    }

    private ByteBuf challenge() {
        c1 = new byte[hash.length()];
        RANDOM.nextBytes(c1);
        s1 = nonZeroSequenceNumber();
        byte[] dhValue = new byte[0];
        if (group != DhGroup.NULL) {
            privateExponent = group.newPrivate(RANDOM);
            dhValue = group.publicValue(privateExponent);
        }
        state = State.REPLY;
        return new Challenge(tid, hash.id(), group.id(), s1, c1, dhValue).encode();
    }

    private static long nonZeroSequenceNumber() {
        long s;
        do {
            s = RANDOM.nextInt() & 0xFFFFFFFFL;
        } while (s == 0);
        return s;
    }

    private void reply(Reply r) throws AuthFailure {
        checkTid(r.tid());
        byte[] sessionKey = null;
        if (group != DhGroup.NULL) {
            sessionKey = group.sharedSecret(privateExponent, r.dhValue());
            privateExponent = null;
            if (sessionKey == null) {
                throw new AuthFailure(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, "DH value outside the group");
            }
        }
        byte[] expected = DhchapCrypto.hostResponse(hash, secrets.host(), hostNqn, subsystemNqn, c1, s1, tid,
                sessionKey);
        if (!MessageDigest.isEqual(expected, r.response())) {
            throw new AuthFailure(AuthSpec.EXPLANATION_FAILED, "wrong response (secret mismatch)");
        }
        controllerResponse = null;
        if (r.cvalid()) {
            if (secrets.controller() == null) {
                throw new AuthFailure(AuthSpec.EXPLANATION_FAILED,
                        "bidirectional authentication asked, no controller secret configured");
            }
            controllerResponse = DhchapCrypto.controllerResponse(hash, secrets.controller(), subsystemNqn, hostNqn,
                    r.c2(), r.seqnum(), tid, sessionKey);
        }
        state = State.SUCCESS1;
    }

    private void checkTid(int received) throws AuthFailure {
        if (received != tid) {
            throw new AuthFailure(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, "T_ID " + received + " is not " + tid);
        }
    }

    private void done() {
        if (!authenticated) {
            LOG.info("nvme host {} authenticated to {} ({}, DH group {})", hostNqn, subsystemNqn, hash, group);
        }
        authenticated = true;
        deadlineNanos = NO_DEADLINE;
        forget();
        state = State.DONE;
    }

    private void fail(AuthFailure e) {
        LOG.warn("nvme host {} failed authentication to {}: {}", hostNqn, subsystemNqn, e.getMessage());
        failure = e.explanation();
        authenticated = false;
        forget();
        state = State.FAILURE1;
    }

    /**
     * The transaction ends without success (its Failure1 is on the way, or the host refused the controller):
     * nothing more is accepted; the queue closes.
     */
    private void end() {
        authenticated = false;
        forget();
        state = State.FAILURE1;
    }

    private void forget() {
        privateExponent = null;
        c1 = null;
        controllerResponse = null;
        secrets = null;
    }
}

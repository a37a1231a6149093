package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.login.SessionParameters;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an administrator reads about sessions: one line per login, failed login and session end, each naming the
 * initiator, its address and the target. Only names, addresses and negotiated choices: never a key value.
 */
final class SessionLog {
    /** The end of a session by Logout Request (any other reason is a dropped connection). */
    static final String LOGOUT = "logout";
    private static final Logger LOG = LoggerFactory.getLogger(SessionLog.class);

    private SessionLog() {
    }

    static void loggedIn(Channel ch, IscsiSession s, String auth) {
        SessionParameters p = s.params;
        LOG.info("iSCSI login: initiator={} from={} target={} type={} tsih={} auth={} HeaderDigest={} DataDigest={}"
                        + " result=success", p.initiatorName, address(ch.remoteAddress()), target(p), p.sessionType,
                s.tsih, auth, p.headerDigest ? "CRC32C" : "None", p.dataDigest ? "CRC32C" : "None");
    }

    /** @param p the login's parameters so far: the initiator and target names may still be missing */
    static void loginFailed(Channel ch, SessionParameters p, int status, String reason) {
        String line = "iSCSI login failed: initiator={} from={} target={} type={} result={}: {}";
        Object[] args = {p.initiatorName, address(ch.remoteAddress()), target(p), p.sessionType,
                LoginPdu.statusName(status), reason};
        if (status == LoginPdu.AUTHENTICATION_FAILURE || status == LoginPdu.AUTHORIZATION_FAILURE) {
            LOG.warn(line, args);
        } else {
            LOG.info(line, args);
        }
    }

    /** A login the initiator gave up, e.g. refusing our mutual CHAP answer: it closed the connection mid-login. */
    static void loginAbandoned(Channel ch, SessionParameters p, String auth, String why) {
        LOG.info("iSCSI login abandoned ({}): initiator={} from={} target={} type={} auth={}", why, p.initiatorName,
                address(ch.remoteAddress()), target(p), p.sessionType, auth);
    }

    /** @param how {@code logout}, or why the connection went away without one */
    static void ended(Channel ch, IscsiSession s, String how) {
        SessionParameters p = s.params;
        LOG.info("iSCSI {}: initiator={} from={} target={} type={} tsih={}",
                how.equals(LOGOUT) ? "logout" : "session ended (" + how + ")", p.initiatorName,
                address(ch.remoteAddress()), target(p), p.sessionType, s.tsih);
    }

    private static String target(SessionParameters p) {
        return p.discovery() ? "-" : p.targetName;
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            String host = i.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}

package dev.ferry.core.frontend;

import java.util.List;

/** A frontend that can list its live sessions (iSCSI sessions, NVMe controllers) for status reports. */
public interface SessionSource {

    /** One connected initiator on one export. */
    record Session(String protocol, String target, String initiator, String address, String id) {
    }

    /** The sessions now, discovery sessions left out. */
    List<Session> liveSessions();
}

package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.unit.Export;
import dev.ferry.frontend.iscsi.login.LoginNegotiator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The SendTargets text key (RFC 7143 Appendix C, 13.3): which targets, at which addresses, an initiator sees. */
final class SendTargets {
    private SendTargets() {
    }

    /**
     * @param value     {@code All} (every visible target; only meaningful in a discovery session), a target name, or
     *                  empty (the session's own target)
     * @param discovery whether this is a discovery session
     * @param own       the session's target (null in discovery)
     * @param initiator the initiator's name, for ACL filtering
     * @param local     the address the initiator connected to (advertised for wildcard portals)
     */
    static List<Map.Entry<String, String>> answer(TargetServices services, String value, boolean discovery, Export own,
                                                  String initiator, InetSocketAddress local) {
        List<Export> exports = new ArrayList<>();
        if (value.equals("All")) {
            if (discovery) {
                exports.addAll(services.registry().visibleTo(LoginNegotiator.PROTOCOL, initiator));
            } else if (own != null) {
                exports.add(own);
            }
        } else if (value.isEmpty()) {
            if (own != null) {
                exports.add(own);
            }
        } else {
            Export e = services.registry().export(LoginNegotiator.PROTOCOL, value);
            if (e != null && e.admits(initiator)) {
                exports.add(e);
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Export e : exports) {
            out.add(Map.entry("TargetName", e.name()));
            for (String a : services.targetAddresses(e, local)) {
                out.add(Map.entry("TargetAddress", a));
            }
        }
        return out;
    }
}

package dev.ferry.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a gateway group shares, as one JSON document in RADOS ({@link GroupDocument}): its members and which member
 * owns each image. Immutable; a change builds a new state ({@link #with}).
 *
 * @param members by member name
 * @param owners by image (or load-balancing group) name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupState(Map<String, Member> members, Map<String, Owner> owners) {
    public static final GroupState EMPTY = new GroupState(Map.of(), Map.of());

    public GroupState {
        members = Collections.unmodifiableMap(new TreeMap<>(members == null ? Map.of() : members));
        owners = Collections.unmodifiableMap(new TreeMap<>(owners == null ? Map.of() : owners));
    }

    /**
     * A member and how to reach and fence it.
     *
     * @param portals where it serves (host:port), for paths and status
     * @param address its RADOS client's address, the one a survivor blocklists ({@link Fencing})
     * @param instance its RADOS client's global id, to tell a rejoined member from the one before
     * @param fenced whether a survivor blocklisted {@code address} to take over from it
     */
    public record Member(List<String> portals, String address, long instance, boolean fenced) {
        public Member {
            portals = List.copyOf(portals == null ? List.of() : portals);
        }
    }

    /**
     * The owner of an image: the one member that serves it active/optimized and writes to it.
     *
     * @param epoch raised by every change of owner, so a takeover is refused when the owner it saw changed meanwhile
     */
    public record Owner(String member, long epoch) {
    }

    /** A copy with {@code edit} applied to (mutable copies of) the members and owners. */
    public GroupState with(Consumer<Map<String, Member>> editMembers, Consumer<Map<String, Owner>> editOwners) {
        Map<String, Member> m = new TreeMap<>(members);
        Map<String, Owner> o = new TreeMap<>(owners);
        editMembers.accept(m);
        editOwners.accept(o);
        return new GroupState(m, o);
    }
}

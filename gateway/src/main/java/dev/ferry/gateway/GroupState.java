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
     * @param accessGroup its access group id (SCSI target port group, NVMe ANA group of its ports) as a serving
     *                    daemon, 0 for none
     * @param dataAddresses the addresses of the clients it writes its images through, blocklisted with
     *                      {@code address}: fencing the member fences its writes
     */
    public record Member(List<String> portals, String address, long instance, boolean fenced, int accessGroup,
            List<String> dataAddresses) {
        public Member {
            portals = List.copyOf(portals == null ? List.of() : portals);
            dataAddresses = List.copyOf(dataAddresses == null ? List.of() : dataAddresses);
        }

        public Member(List<String> portals, String address, long instance, boolean fenced) {
            this(portals, address, instance, fenced, 0, List.of());
        }

        /** This member as fenced (or not). */
        public Member withFenced(boolean now) {
            return new Member(portals, address, instance, now, accessGroup, dataAddresses);
        }

        /** This member writing through the clients at {@code addresses}. */
        public Member withDataAddresses(List<String> addresses) {
            return new Member(portals, address, instance, fenced, accessGroup, addresses);
        }

        /** Every address to blocklist to fence this member. */
        public List<String> allAddresses() {
            List<String> all = new java.util.ArrayList<>();
            if (address != null) {
                all.add(address);
            }
            all.addAll(dataAddresses);
            return all;
        }
    }

    /**
     * The owner of an image: the one member that serves it active/optimized and writes to it.
     *
     * @param epoch raised by every change of owner, so a takeover is refused when the owner it saw changed meanwhile
     * @param preferred where automatic failback returns the image: the member that first claimed it, kept through
     *                  failover and failback, or the member an admin moved it to (null in documents written before
     *                  it was recorded: no failback)
     */
    public record Owner(String member, long epoch, String preferred) {
        /** A first claim: {@code member} is the preferred owner. */
        public Owner(String member, long epoch) {
            this(member, epoch, member);
        }

        /** This image with {@code to} as its owner: the next epoch, the same preferred owner. */
        public Owner movedTo(String to) {
            return new Owner(to, epoch + 1, preferred);
        }

        /** An admin's move to {@code to}: the next epoch, and {@code to} preferred (failback must not undo it). */
        public Owner reassignedTo(String to) {
            return new Owner(to, epoch + 1, to);
        }
    }

    /** The longest member name: it is part of the lease's object name (RADOS names are bounded). */
    public static final int MAX_NAME = 64;

    /** Throws unless {@code name} is 1 to {@link #MAX_NAME} of A-Z a-z 0-9 . _ - (it is part of an object name). */
    public static String requireName(String what, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1 to " + MAX_NAME
                    + " letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    /** A copy with the two edits applied to (mutable copies of) the members and the owners. */
    public GroupState with(Consumer<Map<String, Member>> editMembers, Consumer<Map<String, Owner>> editOwners) {
        Map<String, Member> m = new TreeMap<>(members);
        Map<String, Owner> o = new TreeMap<>(owners);
        editMembers.accept(m);
        editOwners.accept(o);
        return new GroupState(m, o);
    }
}

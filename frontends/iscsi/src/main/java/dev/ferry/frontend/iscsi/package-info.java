/**
 * The iSCSI frontend (RFC 7143 over TCP, Netty). {@link dev.ferry.frontend.iscsi.IscsiFrontend} binds the portals of
 * every {@code iscsi} export and gives each TCP connection a pipeline of
 * {@code IdleStateHandler -> IscsiPduDecoder -> IscsiPduEncoder -> IscsiConnection}.
 *
 * <ul>
 *   <li>{@code .pdu}: framing, digests (CRC32C) and one class per PDU family with the RFC 7143 section 11 fields;</li>
 *   <li>{@code .login}: text keys, the login state machine and operational negotiation (section 6 and 13), and
 *       authentication: {@code AuthPolicy} picks the AuthMethods from the initiator's ACL entry,
 *       {@code ChapAuthenticator} runs CHAP (12.1.3) with {@code ChapAlgorithm} and {@code ChapValueCodec};</li>
 *   <li>{@code .session}: the connection handler (CmdSN ordering, task table, R2T/Data-Out/Data-In, TMF, NOP,
 *       SendTargets, logout), the session table (TSIH, reinstatement) and {@code SessionLog}.</li>
 * </ul>
 *
 * <p>Authentication: a Normal session to a target whose ACL entry for the initiator has CHAP credentials must use
 * CHAP (MD5, SHA-1, SHA-256 or SHA3-256; mutual when the initiator asks and the entry has mutual credentials);
 * otherwise AuthMethod is None. Discovery sessions are never authenticated: SendTargets only lists the targets whose
 * ACL admits the initiator's name (or that admit any initiator), so names alone are what discovery trusts.
 *
 * <p>Logging (logger {@code SessionLog}, never a key value or secret): one INFO line per login ({@code iSCSI login:}
 * initiator, address, target, session type, TSIH, AuthMethod, digests), per failed login ({@code iSCSI login
 * failed:} with Status-Class/Detail and its name; WARN for 02/01 and 02/02), per login the initiator gave up
 * ({@code iSCSI login abandoned}), and per session end ({@code iSCSI logout:} or {@code iSCSI session ended (why)}).
 *
 * <p>Threading: a connection, its session state and its tasks live on one event loop; each loop shares one core
 * {@link dev.ferry.core.ring.CompletionQueue} among its connections, and each export one SCSI command set among all.
 * Operational limits: ErrorRecoveryLevel 0, MaxConnections 1.
 */
package dev.ferry.frontend.iscsi;

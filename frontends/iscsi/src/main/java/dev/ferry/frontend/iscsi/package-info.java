/**
 * The iSCSI frontend (RFC 7143 over TCP, Netty). {@link dev.ferry.frontend.iscsi.IscsiFrontend} binds the portals of
 * every {@code iscsi} export and gives each TCP connection a pipeline of
 * {@code IdleStateHandler -> IscsiPduDecoder -> IscsiPduEncoder -> IscsiConnection}.
 *
 * <ul>
 *   <li>{@code .pdu}: framing, digests (CRC32C) and one class per PDU family with the RFC 7143 section 11 fields;</li>
 *   <li>{@code .login}: text keys, the login state machine and operational negotiation (section 6 and 13), the
 *       {@code Authenticator} seam for CHAP;</li>
 *   <li>{@code .session}: the connection handler (CmdSN ordering, task table, R2T/Data-Out/Data-In, TMF, NOP,
 *       SendTargets, logout) and the session table (TSIH, reinstatement).</li>
 * </ul>
 *
 * <p>Threading: a connection, its session state and its tasks live on one event loop; each loop shares one core
 * {@link dev.ferry.core.ring.CompletionQueue} among its connections, and each export one SCSI command set among all.
 * Operational limits: ErrorRecoveryLevel 0, MaxConnections 1, AuthMethod None.
 */
package dev.ferry.frontend.iscsi;

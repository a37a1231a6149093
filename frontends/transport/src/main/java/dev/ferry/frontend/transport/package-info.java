/**
 * What the three transports (iSCSI, NVMe/TCP, NVMe/RDMA) share, written once:
 * <ul>
 * <li>{@link dev.ferry.frontend.transport.SharedEventLoops}: the one event-loop group of the process (one loop per
 * core, epoll, io_uring or NIO by {@link dev.ferry.frontend.transport.IoTransport}), leased by each frontend;</li>
 * <li>{@link dev.ferry.frontend.transport.LoopCompletionQueues}: the core completion queue of each loop, its bound on
 * requests in flight over every frontend;</li>
 * <li>{@link dev.ferry.frontend.transport.TcpServer}: listening on portals, connection admission, closing;</li>
 * <li>{@link dev.ferry.frontend.transport.FlushCoalescer}: at most one flush per connection and loop iteration.</li>
 * </ul>
 */
package dev.ferry.frontend.transport;

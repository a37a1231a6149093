/**
 * NVMe over RDMA transport (NVMe-oF RDMA transport binding), in layers:
 * <ul>
 * <li>{@code cm}: RDMA_CM private data (connect request, accept, reject) and the connect decision;</li>
 * <li>{@code sgl}: keyed and in-capsule SGL descriptors and the NVMe status of each misuse;</li>
 * <li>{@link dev.ferry.frontend.nvmerdma.RdmaQueuePair}: one queue pair as the controller model's
 * {@link dev.ferry.frontend.nvme.QueueTransport}, written against {@code verbs.RdmaConnection} so it runs
 * without hardware;</li>
 * <li>{@code verbs}: that interface plus the hardware-independent pieces of its implementation (registered buffer
 * slab, wr_id table);</li>
 * <li>{@code jna}: libibverbs/librdmacm bindings and struct layouts.</li>
 * </ul>
 * Not yet here: the device (PD, CQ, completion-channel thread), the JNA-backed {@code RdmaConnection}, the CM
 * listener and the {@code Frontend}/{@code FabricsTransport} that ties them to configuration and discovery.
 */
package dev.ferry.frontend.nvmerdma;

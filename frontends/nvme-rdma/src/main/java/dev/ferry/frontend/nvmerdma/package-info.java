/**
 * NVMe over RDMA transport (NVMe-oF RDMA transport binding), in layers:
 * <ul>
 * <li>{@link dev.ferry.frontend.nvmerdma.NvmeRdmaFrontend}: the {@code Frontend} of {@code rdma://} portals and the
 * controller model's {@code FabricsTransport} (TRTYPE RDMA, RDMA TSAS, keyed SGLs, 8 KiB in-capsule data);
 * {@link dev.ferry.frontend.nvmerdma.RdmaAvailability} says why RDMA is unusable when it is;</li>
 * <li>{@code device}: the RDMA_CM listener thread and, per RDMA device, the PD, the buffers registered once, the
 * shared CQ and its completion-channel thread;</li>
 * <li>{@link dev.ferry.frontend.nvmerdma.RdmaQueuePair}: one queue pair as the controller model's
 * {@link dev.ferry.frontend.nvme.QueueTransport}, written against {@code verbs.RdmaConnection} so it runs
 * without hardware;</li>
 * <li>{@code cm}: RDMA_CM private data (connect request, accept, reject) and the connect decision;</li>
 * <li>{@code sgl}: keyed and in-capsule SGL descriptors and the NVMe status of each misuse;</li>
 * <li>{@code verbs}: that interface plus the hardware-independent pieces of its implementation (registered buffer
 * slab, wr_id table);</li>
 * <li>{@code jna}: libibverbs/librdmacm bindings, struct layouts and the JNA-backed {@code RdmaConnection}.</li>
 * </ul>
 * Not yet here: several SGL descriptors per command (MSDBD is 1), RDMA WRITE straight from the backend's buffers
 * (controller data is copied into registered memory), IPv6 portals, and reopening a device after
 * RDMA_CM_EVENT_DEVICE_REMOVAL (its connections end; the listener must be restarted).
 */
package dev.ferry.frontend.nvmerdma;

package dev.ferry.frontend.nvmerdma;

/**
 * The discovery log's transport specific address subtype for RDMA (RDMA Transport 1.0b Figure 3; Linux
 * {@code union nvmf_tsas.rdma}), 256 bytes:
 * <pre>
 * byte  00     RDMA_QPTYPE  1 = reliable connected
 * byte  01     RDMA_PRTYPE  1 = no RDMA provider specified
 * byte  02     RDMA_CMS     1 = RDMA_CM
 * bytes 07:03  reserved
 * bytes 09:08  RDMA_PKEY    partition key, 0 (not InfiniBand)
 * bytes 255:10 reserved
 * </pre>
 */
final class RdmaTsas {
    static final int SIZE = 256;
    static final int RDMA_QPTYPE = 0;
    static final int RDMA_PRTYPE = 1;
    static final int RDMA_CMS = 2;
    static final int RDMA_PKEY = 8;
    static final int QPTYPE_RELIABLE_CONNECTED = 1;
    static final int PRTYPE_NOT_SPECIFIED = 1;
    static final int CMS_RDMA_CM = 1;

    private RdmaTsas() {
    }

    static byte[] encode() {
        byte[] tsas = new byte[SIZE];
        tsas[RDMA_QPTYPE] = QPTYPE_RELIABLE_CONNECTED;
        tsas[RDMA_PRTYPE] = PRTYPE_NOT_SPECIFIED;
        tsas[RDMA_CMS] = CMS_RDMA_CM;
        return tsas; // RDMA_PKEY stays 0
    }
}

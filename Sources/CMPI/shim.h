// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE) are macros over the addresses
// of its global objects, which Swift cannot import; these wrappers name the few calls SeqLab makes,
// all on MPI_COMM_WORLD. Each returns MPI's error code (MPI_SUCCESS is 0).
#include <mpi.h>

static inline int seqlab_mpi_init(void) {
    int provided = 0;
    // Only the main thread calls MPI; the engine's helper threads never do.
    int code = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (code == MPI_SUCCESS) {
        // A failed collective (a peer gone) comes back as a code SeqLab reports, instead of MPI's abort.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    }
    return code;
}

static inline int seqlab_mpi_finalize(void) { return MPI_Finalize(); }

/// The ranks on this rank's node (those that share its memory), whatever launcher started them.
static inline int seqlab_mpi_node_size(void) {
    MPI_Comm node;
    int size = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS) return 1;
    MPI_Comm_size(node, &size);
    MPI_Comm_free(&node);
    return size;
}

static inline int seqlab_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int seqlab_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/// values[i] = the sum over ranks of values[i], on every rank.
static inline int seqlab_mpi_sum_floats(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// The sum of `values` started, to be completed by `seqlab_mpi_wait_all` on `request`.
static inline int seqlab_mpi_start_sum_floats(float *values, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
}

/// Lets the started sums progress (Open MPI moves them on only inside its calls); `done` is 1 when all are.
static inline int seqlab_mpi_test_all(int count, MPI_Request *requests, int *done) {
    return MPI_Testall(count, requests, done, MPI_STATUSES_IGNORE);
}

static inline int seqlab_mpi_wait_all(int count, MPI_Request *requests) {
    return MPI_Waitall(count, requests, MPI_STATUSES_IGNORE);
}

static inline MPI_Request seqlab_mpi_request_null(void) { return MPI_REQUEST_NULL; }

static inline int seqlab_mpi_sum_doubles(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

/// Every rank's `count` bytes, in rank order, into `gathered` (size × count bytes) on every rank.
static inline int seqlab_mpi_gather_bytes(const void *bytes, int count, void *gathered) {
    return MPI_Allgather(bytes, count, MPI_BYTE, gathered, count, MPI_BYTE, MPI_COMM_WORLD);
}

static inline int seqlab_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/// Rank 0's `count` bytes into `bytes` on every rank.
static inline int seqlab_mpi_broadcast_bytes(void *bytes, int count) {
    return MPI_Bcast(bytes, count, MPI_BYTE, 0, MPI_COMM_WORLD);
}

static inline int seqlab_mpi_broadcast_int(long long *value) {
    return MPI_Bcast(value, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
}

/// MPI's own words for an error code.
static inline void seqlab_mpi_error_string(int code, char *text, int capacity) {
    int length = 0;
    if (capacity < MPI_MAX_ERROR_STRING) { text[0] = 0; return; }
    MPI_Error_string(code, text, &length);
    text[length] = 0;
}

static inline int seqlab_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

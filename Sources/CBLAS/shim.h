// OpenBLAS's cblas.h also declares openblas_set_num_threads, which SeqLab calls at start-up.
#include <cblas.h>

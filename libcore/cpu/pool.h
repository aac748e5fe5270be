/*
 * pool.h - a persistent pool of worker threads for the CPU kernels.
 *
 * lc_pool_run(p, fn, arg) runs fn(arg, ith, nth) once for each part
 * ith in [0, nth) of a job split in nth parts (nth = the pool's threads)
 * and returns when all parts are done.  Parts are claimed by whichever
 * thread comes first, the caller included: if a worker is not running
 * (a machine busy with other work), the caller does its part instead of
 * waiting for it to be scheduled.  No two threads run the same part at
 * once, so per-part scratch indexed by ith is safe.  Idle workers spin
 * briefly on the next job, then sleep, so the hand-off between
 * back-to-back jobs costs well under a microsecond while a pool idle
 * for long uses no CPU.  Jobs must split their work by ith alone, so
 * results never depend on scheduling.  One caller at a time:
 * lc_pool_run is not reentrant.
 */
#ifndef LC_POOL_H
#define LC_POOL_H

#include "../status.h"

typedef struct lc_pool lc_pool;	/* opaque */

typedef void	(*lc_pool_fn)(void *arg, int ith, int nth);

/*
 * Starts nthreads - 1 workers (nthreads >= 1; 1 runs jobs inline).
 * Returns LC_OK and sets *out; LC_EINVAL, LC_ENOMEM or LC_EIO on
 * failure, with nothing left running.
 */
int		 lc_pool_new(lc_pool **out, int nthreads, lc_err *e);
void		 lc_pool_run(lc_pool *p, lc_pool_fn fn, void *arg);
int		 lc_pool_nthreads(const lc_pool *p);
void		 lc_pool_free(lc_pool *p);		/* NULL is a no-op */

#endif /* LC_POOL_H */

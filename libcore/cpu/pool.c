/*
 * pool.c - persistent worker threads (see pool.h).
 *
 * A job is published by bumping a generation counter; workers spin on
 * it for a while, then sleep on a condition variable.  The job's parts
 * are claimed through one 64-bit word, (generation << 32) | next part,
 * by compare-and-swap: a worker that wakes late finds the generation
 * changed or no part left and claims nothing, and since the function
 * and argument it read were published before the generation it saw, a
 * successful claim always runs the right job.  Completion is a count of
 * finished parts the caller spins on, then sleeps on.  Sleeping on
 * either side is announced through an atomic flag that the other side
 * checks after its own store (both seq_cst), so a wake-up is never lost
 * and the mutex is only taken when somebody actually sleeps.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"

/* Spins before sleeping: about 50-100 us of pause instructions. */
#define SPIN_ITERS	(1 << 12)

typedef struct worker {
	struct lc_pool	*p;
} worker;

struct lc_pool {
	int		 nth;		/* threads including the caller */
	int		 nstarted;	/* workers created */
	pthread_t	*th;		/* (nth - 1) */
	worker		*w;		/* (nth - 1) */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv_work;
	pthread_cond_t	 cv_done;
	_Atomic(lc_pool_fn) fn;		/* the job; written before gen */
	_Atomic(void *)	 arg;
	atomic_uint	 gen;		/* job generation */
	_Atomic uint64_t claim;		/* gen << 32 | next part */
	atomic_int	 done;		/* parts finished */
	atomic_int	 nsleep;	/* workers asleep or about to be */
	atomic_int	 caller_sleep;	/* the caller waits on cv_done */
	atomic_int	 quit;
};

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Claims and runs parts of job g until none is left. */
static void
run_parts(lc_pool *p, unsigned g, lc_pool_fn fn, void *arg)
{
	uint64_t c = atomic_load(&p->claim);

	for (;;) {
		if ((unsigned)(c >> 32) != g || (uint32_t)c >= (uint32_t)p->nth)
			return;
		if (!atomic_compare_exchange_weak(&p->claim, &c, c + 1))
			continue;
		fn(arg, (int)(uint32_t)c, p->nth);
		if (atomic_fetch_add(&p->done, 1) + 1 == p->nth &&
		    atomic_load(&p->caller_sleep)) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->cv_done);
			pthread_mutex_unlock(&p->mu);
		}
		c = atomic_load(&p->claim);
	}
}

static void *
worker_main(void *v)
{
	worker *w = v;
	lc_pool *p = w->p;
	unsigned seen = 0, g = 0;
	int i;

	for (;;) {
		for (i = 0; i < SPIN_ITERS; i++) {
			g = atomic_load_explicit(&p->gen, memory_order_acquire);
			if (g != seen)
				break;
			cpu_relax();
		}
		if (g == seen) {
			pthread_mutex_lock(&p->mu);
			atomic_fetch_add(&p->nsleep, 1);
			while ((g = atomic_load(&p->gen)) == seen)
				pthread_cond_wait(&p->cv_work, &p->mu);
			atomic_fetch_sub(&p->nsleep, 1);
			pthread_mutex_unlock(&p->mu);
		}
		seen = g;
		if (atomic_load(&p->quit))
			break;
		run_parts(p, g, atomic_load(&p->fn), atomic_load(&p->arg));
	}
	return NULL;
}

/* Publishes the current job (or quit) to every worker. */
static unsigned
publish(lc_pool *p)
{
	unsigned g = atomic_load(&p->gen) + 1;

	atomic_store(&p->claim, (uint64_t)g << 32);
	atomic_store(&p->gen, g);
	if (atomic_load(&p->nsleep) > 0) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->cv_work);
		pthread_mutex_unlock(&p->mu);
	}
	return g;
}

void
lc_pool_run(lc_pool *p, lc_pool_fn fn, void *arg)
{
	unsigned g;
	int i;

	if (p->nth == 1) {
		fn(arg, 0, 1);
		return;
	}
	atomic_store(&p->fn, fn);
	atomic_store(&p->arg, arg);
	atomic_store(&p->done, 0);
	g = publish(p);
	run_parts(p, g, fn, arg);
	for (i = 0; i < SPIN_ITERS; i++) {
		if (atomic_load_explicit(&p->done, memory_order_acquire) ==
		    p->nth)
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->caller_sleep, 1);
	while (atomic_load(&p->done) < p->nth)
		pthread_cond_wait(&p->cv_done, &p->mu);
	atomic_store(&p->caller_sleep, 0);
	pthread_mutex_unlock(&p->mu);
}

int
lc_pool_nthreads(const lc_pool *p)
{
	return p->nth;
}

void
lc_pool_free(lc_pool *p)
{
	int i;

	if (p == NULL)
		return;
	atomic_store(&p->quit, 1);
	publish(p);
	for (i = 0; i < p->nstarted; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->cv_done);
	pthread_cond_destroy(&p->cv_work);
	pthread_mutex_destroy(&p->mu);
	free(p->w);
	free(p->th);
	free(p);
}

int
lc_pool_new(lc_pool **out, int nthreads, lc_err *e)
{
	lc_pool *p;
	int i, rc;

	*out = NULL;
	if (nthreads < 1 || nthreads > 1024)
		return lc_errf(e, LC_EINVAL, "thread pool: %d threads",
		    nthreads);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return lc_errf(e, LC_ENOMEM, "thread pool: out of memory");
	p->nth = nthreads;
	p->th = calloc((size_t)nthreads, sizeof(*p->th));
	p->w = calloc((size_t)nthreads, sizeof(*p->w));
	if (p->th == NULL || p->w == NULL) {
		free(p->th);
		free(p->w);
		free(p);
		return lc_errf(e, LC_ENOMEM, "thread pool: out of memory");
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	atomic_init(&p->fn, NULL);
	atomic_init(&p->arg, NULL);
	atomic_init(&p->gen, 0);
	atomic_init(&p->claim, 0);
	atomic_init(&p->done, 0);
	atomic_init(&p->nsleep, 0);
	atomic_init(&p->caller_sleep, 0);
	atomic_init(&p->quit, 0);
	for (i = 0; i < nthreads - 1; i++) {
		p->w[i].p = p;
		if ((rc = pthread_create(&p->th[i], NULL, worker_main,
		    &p->w[i])) != 0) {
			lc_pool_free(p);
			return lc_errf(e, LC_EIO,
			    "thread pool: cannot start thread %d of %d", i + 1,
			    nthreads);
		}
		p->nstarted++;
	}
	*out = p;
	return LC_OK;
}

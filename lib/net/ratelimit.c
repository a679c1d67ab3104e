/* ratelimit: the buckets' arithmetic — refill, take, what a reply's
 * headers teach, a 429's pause — on the rows ratelimit_store.c keeps. */
#include "net/ratelimit_int.h"
#include "clock.h"
#include <math.h>
#include <string.h>

static void limits_for(struct ratelimit *rl, const char *provider, const struct rl_row *r, long *rpm, long *tpm)
{
	const struct rl_limit *l = rl_find_limit(rl, provider, 0);
	long cr = l ? l->rpm : -1, ct = l ? l->tpm : -1;
	*rpm = cr >= 0 ? cr : r->learnt_rpm > 0 ? r->learnt_rpm : l ? l->def_rpm : 0;
	*tpm = ct >= 0 ? ct : r->learnt_tpm > 0 ? r->learnt_tpm : l ? l->def_tpm : 0;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Refill one bucket from `from` to now: a minute's allowance per minute,
 * or the slow rate while it lasts when that is lower. */
static double fill(double level, long limit, long long from, long long now, double slow, long long slow_until)
{
	if (limit <= 0)
		return level;
	double cap = (double)limit, rate = cap / RL_MINUTE_MS;
	if (level > cap)
		level = cap;
	if (now <= from)
		return clampd(level, -cap, cap);
	double credit;
	if (slow > 0 && slow < rate && slow_until > from) {
		long long t1 = (slow_until < now ? slow_until : now) - from;
		credit = (double)t1 * slow + (double)(now - from - t1) * rate;
	} else {
		credit = (double)(now - from) * rate;
	}
	return clampd(level + credit, -cap, cap);
}

/* Bring the row up to now: create it full, follow a clock step back, and
 * refill both buckets (nothing is credited while a pause lasts). */
static void refill(struct rl_row *r, long long now, long rpm, long tpm)
{
	if (!r->exists) {
		r->exists = r->dirty = 1;
		r->stamp = now;
		r->req = (double)rpm;
		r->tok = (double)tpm;
		return;
	}
	if (r->req == INFINITY)
		r->req = (double)rpm;
	if (r->tok == INFINITY)
		r->tok = (double)tpm;
	if (now < r->stamp) {
		long long back = r->stamp - now;
		if (back <= RL_CLOCK_STEP_MS) {
			/* another process read the clock a moment later but locked
			 * first, or a small step: no credit until time catches up */
			r->req = fill(r->req, rpm, 0, 0, 0, 0);
			r->tok = fill(r->tok, tpm, 0, 0, 0, 0);
			return;
		}
		/* the clock was stepped back: move every stamp back with it, so
		 * nothing waits for the old future */
		r->stamp = now;
		if (r->paused_until)
			r->paused_until -= back;
		if (r->req_slow_until)
			r->req_slow_until -= back;
		if (r->tok_slow_until)
			r->tok_slow_until -= back;
		r->dirty = 1;
	}
	if (r->paused_until > now + RL_MAX_PAUSE_MS)
		r->paused_until = now + RL_MAX_PAUSE_MS;
	long long from = r->stamp;
	long long pause_end = r->paused_until < now ? r->paused_until : now;
	if (pause_end > from)
		from = pause_end;
	r->req = fill(r->req, rpm, from, now, r->req_slow, r->req_slow_until);
	r->tok = fill(r->tok, tpm, from, now, r->tok_slow, r->tok_slow_until);
	r->stamp = now;
}

/* Milliseconds until a bucket at level holds need. */
static double wait_for(double level, double need, long limit, long long now, double slow, long long slow_until)
{
	double d = need - level, rate = (double)limit / RL_MINUTE_MS;
	if (d <= RL_EPS)
		return 0;
	if (slow > 0 && slow < rate && slow_until > now) {
		double t1 = (double)(slow_until - now);
		if (slow * t1 >= d)
			return d / slow;
		return t1 + (d - slow * t1) / rate;
	}
	return d / rate;
}

static long wait_ms(double ms)
{
	if (ms >= (double)RL_MAX_WAIT_MS)
		return RL_MAX_WAIT_MS;
	long w = (long)ceil(ms - 1e-6);   /* 1000.0000000001 is 1000 */
	return w < 1 ? 1 : w;
}

static int usable(struct ratelimit *rl, const char *provider)
{
	return rl && provider && *provider && strlen(provider) < 64;
}

long ratelimit_take_at(struct ratelimit *rl, const char *provider, long est_tokens, long long now)
{
	if (!usable(rl, provider))
		return 0;
	pthread_mutex_lock(&rl->mu);
	rl->last_take = 0;
	struct rl_row r;
	long wait = 0, rpm, tpm;
	if (rl_row_begin(rl, provider, &now, &r) < 0)
		goto out;
	limits_for(rl, provider, &r, &rpm, &tpm);
	refill(&r, now, rpm, tpm);
	rl->last_pause = r.paused_until > now ? r.paused_until : 0;
	if (r.paused_until > now) {
		wait = wait_ms((double)(r.paused_until - now));
	} else {
		double need = est_tokens > 0 ? (double)est_tokens : 0;
		if (need > (double)tpm)
			need = (double)tpm;  /* a request larger than the bucket goes when it is full */
		double w = 0, wt = 0;
		if (rpm > 0)
			w = wait_for(r.req, 1, rpm, now, r.req_slow, r.req_slow_until);
		if (tpm > 0 && need > 0)
			wt = wait_for(r.tok, need, tpm, now, r.tok_slow, r.tok_slow_until);
		if (wt > w)
			w = wt;
		if (w > 0) {
			wait = wait_ms(w);
		} else {
			rl->last_take = now;
			if (rpm > 0)
				r.req -= 1;
			if (tpm > 0 && est_tokens > 0)
				r.tok = clampd(r.tok - (double)est_tokens, -(double)tpm, (double)tpm);
			if (rpm > 0 || tpm > 0)
				r.dirty = 1;   /* unlimited: nothing to write, only a pause to read */
		}
	}
	rl_row_end(rl, provider, &r, rpm, tpm);
out:
	pthread_mutex_unlock(&rl->mu);
	return wait;
}

long ratelimit_take(struct ratelimit *rl, const char *provider, long est_tokens)
{
	return ratelimit_take_at(rl, provider, est_tokens, -1);
}

/* What one kind of header said, applied to its bucket: never above the
 * remaining fraction, and when little remains, refilled no faster than the
 * server will refill it by its reset time. Headers only ever tighten. */
static void heed(double *level, double *slow, long long *slow_until, long limit, long h_limit,
		 long remaining, long reset_ms, long long now)
{
	if (limit <= 0 || remaining < 0)
		return;
	double cap = (double)limit, server = h_limit > 0 ? (double)h_limit : cap;
	double target = clampd((double)remaining / server * cap, 0, cap);
	if (*level > target)
		*level = target;
	if (reset_ms > 0 && (double)remaining * 4 < server) {
		double rate = (cap - target) / (double)reset_ms;
		if (rate < cap / RL_MINUTE_MS) {
			*slow = rate > 0 ? rate : 1e-12;
			*slow_until = now + (reset_ms < RL_MAX_PAUSE_MS ? reset_ms : RL_MAX_PAUSE_MS);
		}
	}
}

void ratelimit_note_at(struct ratelimit *rl, const char *provider, const struct rl_headers *h, long long now)
{
	if (!usable(rl, provider) || !h)
		return;
	pthread_mutex_lock(&rl->mu);
	struct rl_row r;
	long rpm, tpm;
	if (rl_row_begin(rl, provider, &now, &r) < 0)
		goto out;
	limits_for(rl, provider, &r, &rpm, &tpm);
	refill(&r, now, rpm, tpm);
	if (h->limit_requests > 0)
		r.learnt_rpm = h->limit_requests;
	if (h->limit_tokens > 0)
		r.learnt_tpm = h->limit_tokens;
	long rpm2, tpm2;
	limits_for(rl, provider, &r, &rpm2, &tpm2);
	/* a limit learnt just now: the bucket takes its size, at most full */
	if (rpm2 != rpm)
		r.req = rpm > 0 ? clampd(r.req, -(double)rpm2, (double)rpm2) : (double)rpm2;
	if (tpm2 != tpm)
		r.tok = tpm > 0 ? clampd(r.tok, -(double)tpm2, (double)tpm2) : (double)tpm2;
	heed(&r.req, &r.req_slow, &r.req_slow_until, rpm2, h->limit_requests, h->remaining_requests,
	     h->reset_requests_ms, now);
	heed(&r.tok, &r.tok_slow, &r.tok_slow_until, tpm2, h->limit_tokens, h->remaining_tokens,
	     h->reset_tokens_ms, now);
	r.dirty = 1;
	rl_row_end(rl, provider, &r, rpm2, tpm2);
out:
	pthread_mutex_unlock(&rl->mu);
}

void ratelimit_note(struct ratelimit *rl, const char *provider, const struct rl_headers *h)
{
	ratelimit_note_at(rl, provider, h, -1);
}

void ratelimit_pause_at(struct ratelimit *rl, const char *provider, long retry_after_ms, long long now)
{
	if (!usable(rl, provider))
		return;
	pthread_mutex_lock(&rl->mu);
	struct rl_row r;
	long rpm, tpm;
	if (rl_row_begin(rl, provider, &now, &r) < 0)
		goto out;
	limits_for(rl, provider, &r, &rpm, &tpm);
	refill(&r, now, rpm, tpm);
	long ms = retry_after_ms < 0 ? RL_DEFAULT_PAUSE_MS : retry_after_ms > RL_MAX_PAUSE_MS ? RL_MAX_PAUSE_MS : retry_after_ms;
	if (now + ms > r.paused_until)
		r.paused_until = now + ms;
	/* the server's bucket is empty: so is ours, and after the pause
	 * requests resume one at a time at the limit's pace */
	if (rpm > 0 && r.req > 0)
		r.req = 0;
	r.dirty = 1;
	rl_row_end(rl, provider, &r, rpm, tpm);
out:
	pthread_mutex_unlock(&rl->mu);
}

void ratelimit_pause(struct ratelimit *rl, const char *provider, long retry_after_ms)
{
	ratelimit_pause_at(rl, provider, retry_after_ms, -1);
}

void ratelimit_settle(struct ratelimit *rl, const char *provider, long est_tokens, long actual_tokens)
{
	if (!usable(rl, provider) || est_tokens < 0 || actual_tokens < 0 || est_tokens == actual_tokens)
		return;
	pthread_mutex_lock(&rl->mu);
	struct rl_row r;
	long long now = 0;
	long rpm, tpm;
	if (rl_row_begin(rl, provider, &now, &r) < 0)
		goto out;
	limits_for(rl, provider, &r, &rpm, &tpm);
	/* no refill: the estimate was taken at some time, the correction is
	 * timeless (and the clock is not read, for tests with their own) */
	if (r.exists && tpm > 0 && r.tok != INFINITY) {
		r.tok = clampd(r.tok + (double)est_tokens - (double)actual_tokens, -(double)tpm, (double)tpm);
		r.dirty = 1;
	}
	rl_row_end(rl, provider, &r, rpm, tpm);
out:
	pthread_mutex_unlock(&rl->mu);
}

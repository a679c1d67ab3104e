/* chat-batch's commands after submit: status, wait, collect, cancel, list. */
#include "paths.h"
#include "batch/jobrun.h"
#include "numparse.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include "progress.h"
#include "response.h"
#include "sig.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define EMIT_FLUSH (1 << 20)     /* collected records written this many bytes at a time */
#define EMIT_ROWS 200            /* ... or this many records */
#define PENDING_BATCH 500

/* --dry-run: the jobs being built are kept in a scratch store in a
 * folder of its own, gone at the end, so the history is never written
 * (r->dbpath stays the history's, read for conversations only). */
static int open_scratch(struct jobrun *r)
{
	if (scratch_dir_make("chat-batch-dry", r->scratch, sizeof r->scratch) < 0) {
		error("cannot make a scratch folder for the dry run: %s", strerror(errno));
		r->scratch[0] = 0;
		return EXIT_CANTCREAT;
	}
	char path[4300];
	snprintf(path, sizeof path, "%s/jobs.db", r->scratch);
	int st = store_open(&r->db, path, STORE_CREATE);
	return st ? st : 0;
}

int jobrun_open(struct jobrun *r, struct session *s)
{
	r->s = s;
	if (path_history(s->opts->db, r->dbpath, sizeof r->dbpath) < 0)
		return EXIT_CANTCREAT;
	if (s->opts->dry_run)
		return open_scratch(r);
	int st = store_open(&r->db, r->dbpath, STORE_CREATE);
	return st ? st : 0;
}

void jobrun_close(struct jobrun *r)
{
	store_close(&r->db);
	if (r->scratch[0])
		scratch_dir_remove(r->scratch);
	for (int i = 0; i < r->nconns; i++)
		explicit_bzero(r->conns[i].key, sizeof r->conns[i].key);
}

int jobrun_emit(struct jobrun *r, jv rec)
{
	if (sig_caught == SIGPIPE) {
		jv_free(rec);
		return -1;
	}
	if (jx_write_line(1, rec) == 0)
		return 0;
	if (errno == EPIPE) {
		sig_note_pipe();
	} else {
		error("cannot write output: %s", strerror(errno));
		r->status = EXIT_CANTCREAT;
	}
	return -1;
}

const struct jobapi_conn *jobrun_conn(struct jobrun *r, const char *provider)
{
	for (int i = 0; i < r->nconns; i++)
		if (!strcmp(r->conns[i].provider, provider))
			return &r->conns[i].c;
	if (r->nconns == 3 || !jobapi_for(provider))
		return NULL;
	/* the key and base URL, found the way chat-send finds them */
	struct session *tmp = malloc(sizeof *tmp);
	if (!tmp)
		return NULL;
	*tmp = *r->s;
	char name[64];
	snprintf(name, sizeof name, "%s:batch", provider);
	int st = session_model(tmp, name);
	struct jobconn *jc = NULL;
	if (!st) {
		jc = &r->conns[r->nconns++];
		snprintf(jc->provider, sizeof jc->provider, "%s", provider);
		memcpy(jc->key, tmp->key, sizeof jc->key);
		memcpy(jc->base, tmp->base, sizeof jc->base);
		memcpy(jc->key_source, tmp->key_source, sizeof jc->key_source);
		jc->c = (struct jobapi_conn){ .prov = tmp->prov, .base = jc->base, .key = jc->key, .key_source = jc->key_source,
					      .connect_timeout = r->s->opts->connect_timeout,
					      .idle_timeout = r->s->opts->idle_timeout, .retries = r->s->opts->retries,
					      .retries_given = r->s->opts->retries_given,
					      .progress = r->progress, .dry_run = r->s->opts->dry_run };
	} else if (!r->status) {
		r->status = st;
	}
	/* a rate-limit handle the copy opened stays with the session */
	if (tmp->rl && !r->s->rl)
		r->s->rl = tmp->rl, r->s->rl_tried = 1;
	explicit_bzero(tmp->key, sizeof tmp->key);
	free(tmp);
	return jc ? &jc->c : NULL;
}

int jobrun_resolve(struct jobrun *r, char **refs, int n, jv *jobs)
{
	*jobs = n ? jv_array() : jobs_ids(&r->db, 0);
	for (int i = 0; i < n; i++) {
		char id[STORE_ID_LEN + 1];
		int f = jobs_find(&r->db, refs[i], id);
		if (f == 1)
			error("no batch job '%s' in %s", refs[i], r->dbpath);
		if (f)
			return f == -1 ? EXIT_CANTCREAT : EXIT_DATAERR;
		*jobs = jv_array_append(*jobs, jv_string(id));
	}
	return 0;
}

/* When an ended job's results go, for a provider that keeps them only so
 * long after the end (unix seconds); -1 when that is not known. */
static long long results_expire(const struct jobrow *j)
{
	const struct jobapi *api = jobapi_for(j->provider);
	long long ended = j->ended[0] ? clock_parse(j->ended) : -1;
	return api && api->results_keep > 0 && ended >= 0 ? ended + api->results_keep : -1;
}

jv jobrun_record(struct jobrun *r, const struct jobrow *j)
{
	jv rec = jobs_record(&r->db, j, r->ids);
	long long expire = results_expire(j);
	if (j->ended[0])
		rec = jv_object_set(rec, jv_string("ended"), jv_string(j->ended));
	if (expire >= 0) {
		char t[40];
		clock_format(expire, t, sizeof t);
		rec = jv_object_set(rec, jv_string("results_expire"), jv_string(t));
	}
	return rec;
}

/* The end of a job just seen to have ended: the provider's time for it,
 * or now when it gives none (or one we cannot read). */
static void mark_ended(struct jobrow *j, const char *provider_time)
{
	long long t = clock_parse(provider_time);
	clock_format(t >= 0 ? t : clock_now(), j->ended, sizeof j->ended);
}

/* Ask the provider how a job stands and keep the answer. 0 with j (and st
 * when not NULL) up to date, or -1 after a message. */
static int refresh(struct jobrun *r, struct jobrow *j, struct jobapi_state *out)
{
	struct jobapi_state st;
	memset(&st, 0, sizeof st);
	if (!j->remote[0])
		return 0; /* never sent: nothing to ask */
	const struct jobapi *api = jobapi_for(j->provider);
	const struct jobapi_conn *c = api ? jobrun_conn(r, j->provider) : NULL;
	if (!c)
		return -1;
	struct chat_error err = { 0 };
	if (api->poll(c, j->remote, &st, &err) < 0) {
		error("job %s: %s: %s", j->id, j->provider, err.message);
		if (!r->status)
			r->status = err.code == ERR_INTERRUPTED ? sig_status()
								 : err_exit_status(err.code);
		return -1;
	}
	if (st.status[0])
		snprintf(j->status, sizeof j->status, "%s", st.status);
	if (st.counts) {
		j->total = st.total ? st.total : j->total;
		j->done = st.done;
		j->failed = st.failed;
	}
	if (st.error[0])
		scrub(j->error, sizeof j->error, st.error, strlen(st.error)); /* the provider's words: no key, no controls */
	if (jobapi_ended(j->status) && !j->ended[0])
		mark_ended(j, st.ended);
	if (out)
		*out = st;
	if (jobs_put(&r->db, j) < 0) {
		r->status = EXIT_CANTCREAT;
		return -1;
	}
	return 0;
}

static int load(struct jobrun *r, jv id, struct jobrow *j)
{
	int g = jobs_get(&r->db, jv_string_value(id), j);
	if (g)
		r->status = EXIT_CANTCREAT;
	return g ? -1 : 0;
}

static int open_job(const struct jobrow *j)
{
	return !j->collected && !jobapi_ended(j->status) && strcmp(j->status, "preparing");
}

/* An ended job whose results will not be kept for ever: say until when. */
static void note_expiry(const struct jobrun *r, const struct jobrow *j)
{
	long long expire = results_expire(j);
	if (expire < 0 || j->collected || r->s->opts->quiet)
		return;
	char t[40];
	clock_format(expire, t, sizeof t);
	long hours = jobapi_for(j->provider)->results_keep / 3600;
	if (clock_now() < expire)
		warn("job %s: %s keeps a job's results for %ld hours after it ends: collect them before %s", j->id,
		     j->provider, hours, t);
	else
		warn("job %s: %s kept its results for %ld hours after it ended, until %s: they may be gone", j->id,
		     j->provider, hours, t);
}

int jobrun_status(struct jobrun *r, jv jobs)
{
	jv_array_foreach(jobs, i, id) {
		struct jobrow j;
		if (!sig_caught && load(r, id, &j) == 0) {
			if (open_job(&j))
				refresh(r, &j, NULL);
			note_expiry(r, &j);
			jobrun_emit(r, jobrun_record(r, &j));
		}
		jv_free(id);
	}
	return sig_caught ? sig_status() : r->status;
}

int jobrun_wait(struct jobrun *r, jv jobs)
{
	const char *cap_s = getenv("CHAT_BATCH_POLL");
	double cap = 60;
	char why[200];
	if (cap_s && *cap_s && parse_seconds("CHAT_BATCH_POLL", cap_s, 0.001, 86400, &cap, why, sizeof why) < 0) {
		warn("%s; polling at most a minute apart", why);
		cap = 60;
	}
	long cap_ms = (long)(cap * 1000), delay = cap_ms < 1000 ? cap_ms : 1000;
	struct progress line;
	progress_start_line(&line, r->progress, 0);
	for (;;) {
		long open = 0, total = 0, done = 0, failed = 0;
		jv_array_foreach(jobs, i, id) {
			struct jobrow j;
			if (!sig_caught && load(r, id, &j) == 0) {
				if (open_job(&j) && refresh(r, &j, NULL) < 0 && r->status) {
					jv_free(id);
					goto out; /* the provider cannot be asked: say so now, not in a day */
				}
				open += open_job(&j);
				total += j.total;
				done += j.done;
				failed += j.failed;
			}
			jv_free(id);
		}
		if (!open || sig_caught)
			break;
		if (line.on) {
			progress_line(&line, "%s: %ld of %d jobs still running; %ld of %ld requests done, %ld failed;"
				      " asking again in %lds", progname, open, jv_array_length(jv_copy(jobs)), done, total,
				      failed, (delay + 999) / 1000);
		} else if (verbose) {
			warn("%ld jobs still running; asking again in %ld ms", open, delay);
		}
		http_sleep_ms(delay);
		delay = delay * 2 > cap_ms ? cap_ms : delay * 2;
	}
out:
	progress_end(&line);
	return sig_caught ? sig_status() : r->status;
}

/* ---- collect ---- */

struct emitter {
	struct jobrun *r;
	struct jobtx tx;
	struct buf out;
	long rows;
	int fatal;
};

/* Write what is waiting, then commit the marks that say it was written: a
 * crash in between may repeat records, never lose them. */
static int flush(struct emitter *e)
{
	if (e->out.len && !e->fatal) {
		if (write_all(1, e->out.p, e->out.len) < 0) {
			if (errno == EPIPE)
				sig_note_pipe();
			else
				error("cannot write output: %s", strerror(errno)), e->r->status = EXIT_CANTCREAT;
			e->fatal = 1;
			jobs_tx_abort(&e->tx);
		}
	}
	buf_reset(&e->out);
	e->rows = 0;
	if (!e->fatal && jobs_tx_end(&e->tx) < 0) {
		e->r->status = EXIT_CANTCREAT;
		e->fatal = 1;
	}
	return e->fatal ? -1 : 0;
}

/* One record's result: logged, marked and queued for output. */
static int deliver(struct emitter *e, const struct jobrow *j, long seq, jv rec, const struct chat_reply *reply,
		   const char *text, size_t len)
{
	struct jobrun *r = e->r;
	if (e->fatal || jobs_tx_need(&e->tx) < 0)
		return e->fatal = 1, -1;
	jv id = jx_get(rec, "id");
	char conv[STORE_ID_LEN + 1] = "", msg[STORE_ID_LEN + 1] = "", model[256] = "";
	jx_str(rec, "model", model, sizeof model);
	jv out;
	if (!reply->err.code) {
		const struct model_info *mi = models_find(&r->s->models, model);
		double cost = reply->have_usage ? model_batch_cost(mi, reply->usage.input, reply->usage.cached,
								   reply->usage.output) : -1;
		if (j->log && !r->no_log) {
			struct jobs_reply jr = { .job = j->id, .provider = j->provider, .model = model, .text = text,
						 .len = len, .reply = reply, .cost = cost, .user_created = j->created };
			if (jobs_log_reply(&r->db, rec, &jr, conv, msg) < 0) {
				jv_free(id);
				r->status = EXIT_CANTCREAT;
				return e->fatal = 1, -1;
			}
		}
		struct exchange_timing t = { .ttft_ms = -1 };
		struct reply_info ri = { .id = id, .provider = j->provider, .model = model, .conversation = conv,
					 .message = msg[0] ? msg : NULL, .text = text, .text_len = len, .reply = reply,
					 .timing = &t, .cost = cost };
		out = response_record(&ri);
		out = jv_object_set(out, jv_string("ttft_ms"), jv_null());
		out = jv_object_set(out, jv_string("ms"), jv_null());
	} else {
		out = error_record(id, &reply->err);
		r->errors++;
	}
	out = jv_object_set(out, jv_string("job"), jv_string(j->id));
	jv_free(id);
	if (jx_dump_line(out, &e->out) < 0 ||
	    jobs_item_done(&r->db, j->id, seq, reply->err.code ? err_code_name(reply->err.code) : NULL,
			   conv[0] ? conv : NULL, msg[0] ? msg : NULL) < 0) {
		r->status = EXIT_CANTCREAT;
		return e->fatal = 1, -1;
	}
	if (++e->rows >= EMIT_ROWS || e->out.len >= EMIT_FLUSH)
		return flush(e);
	return 0;
}

/* The results file, a line at a time. */
static void from_results(struct emitter *e, const struct jobrow *j, const struct jobapi *api, int fd)
{
	struct line_reader lr;
	lr_init(&lr, fd, (size_t)1 << 30);
	struct buf text = BUF_INIT((size_t)1 << 30);
	size_t plen = strlen(j->id);
	const char *line;
	size_t len;
	int rc;
	while (!e->fatal && !sig_caught && (rc = lr_next(&lr, &line, &len)) == 1) {
		if (!len)
			continue;
		jv l = jv_parse_sized(line, (int)len);
		struct jobapi_result res;
		buf_reset(&text);
		int ok = jv_get_kind(l) == JV_KIND_OBJECT && api->result(l, &res, &text) == 0;
		jv_free(l);
		char *end = "";
		long seq = ok && !strncmp(res.custom_id, j->id, plen) && res.custom_id[plen] == '-'
			? strtol(res.custom_id + plen + 1, &end, 10) : -1;
		if (seq < 0 || *end) {
			if (verbose)
				warn("job %s: a result line that is none of ours was left alone", j->id);
			continue;
		}
		jv rec;
		char state[16];
		if (jobs_item(&e->r->db, j->id, seq, &rec, state) != 0)
			continue;
		if (!strcmp(state, "pending"))
			deliver(e, j, seq, rec, &res.reply, buf_str(&text), text.len);
		jv_free(rec);
	}
	buf_free(&text);
	lr_free(&lr);
}

/* Every record the results did not answer gets the error the job's end
 * means, or, when the results are gone, that (a timeout: worth sending
 * again). */
static void leftovers(struct emitter *e, const struct jobrow *j, const char *gone)
{
	struct chat_reply none;
	memset(&none, 0, sizeof none);
	snprintf(none.finish, sizeof none.finish, "error");
	if (gone)
		err_set(&none.err, ERR_TIMEOUT, 0, "%s", gone);
	else if (!strcmp(j->status, "expired"))
		err_set(&none.err, ERR_TIMEOUT, 0, "the job's 24-hour window ended before this request ran");
	else if (!strcmp(j->status, "cancelled"))
		err_set(&none.err, ERR_INTERRUPTED, 0, "the job was cancelled before this request ran");
	else if (!strcmp(j->status, "failed"))
		err_set(&none.err, j->remote[0] ? ERR_BAD_REQUEST : ERR_SERVER, 0, "the job failed: %s",
			j->error[0] ? j->error : "no reason given");
	else
		err_set(&none.err, ERR_SERVER, 0, "the provider returned no result for this request");
	none.err.retryable = 1; /* sending it again may well work */
	if (!gone && !strcmp(j->status, "failed") && j->remote[0])
		none.err.retryable = 0;
	while (!e->fatal && !sig_caught) {
		jv list = jobs_pending(&e->r->db, j->id, PENDING_BATCH);
		int n = jv_array_length(jv_copy(list));
		jv_array_foreach(list, i, pair) {
			jv seq = jv_array_get(jv_copy(pair), 0), rec = jv_array_get(jv_copy(pair), 1);
			deliver(e, j, (long)jv_number_value(seq), rec, &none, "", 0);
			jv_free(seq);
			jv_free(rec);
			jv_free(pair);
		}
		jv_free(list);
		if (n < PENDING_BATCH)
			break;
		if (flush(e) < 0) /* keep the transaction short */
			break;
	}
}

/* Download an ended job's results files into fd. 0; 1 when they are gone
 * because the provider keeps them only so long and that time is over (gone
 * says so: the job's records are then errors, and the job is done with,
 * rather than failing every collect from now on); -1 after a message. */
static int fetch_results(struct jobrun *r, const struct jobrow *j, const struct jobapi *api,
			 const struct jobapi_state *st, int fd, char *gone, size_t cap)
{
	const struct jobapi_conn *c = jobrun_conn(r, j->provider);
	for (int i = 0; i < 2 && c; i++) {
		struct chat_error err = { 0 };
		if (!st->results[i][0] || api->download(c, st->results[i], fd, &err) == 0)
			continue;
		long long expire = results_expire(j);
		char t[40] = "";
		if (expire >= 0 && clock_now() >= expire)
			clock_format(expire, t, sizeof t);
		if (t[0] && err.status == 404) {
			snprintf(gone, cap, "the job's results were deleted at %s, %ld hours after it ended, before they "
				 "were collected", t, api->results_keep / 3600);
			warn("job %s: %s: the results are gone: %s kept them until %s", j->id, j->provider, j->provider, t);
			return 1;
		}
		error("job %s: %s: the results: %s%s%s", j->id, j->provider, err.message,
		      t[0] ? "; they were kept only until " : "", t);
		r->status = err.code == ERR_INTERRUPTED ? sig_status() : err_exit_status(err.code);
		return -1;
	}
	return c ? 0 : -1;
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* 0 collected (or nothing to collect), 1 not ended yet, -1 failed. */
static int collect_one(struct jobrun *r, const char *id)
{
	struct jobrow j;
	if (jobs_get(&r->db, id, &j) != 0)
		return r->status = EXIT_CANTCREAT, -1;
	if (j.collected)
		return 0;
	if (!strcmp(j.status, "preparing"))
		return 1;
	struct jobapi_state st;
	memset(&st, 0, sizeof st);
	/* a poll also says where the results are */
	if (j.remote[0] && refresh(r, &j, &st) < 0)
		return -1;
	if (!jobapi_ended(j.status))
		return 1;
	/* one collector at a time, on every machine the history serves */
	int lock = store_mutex_take(&r->db, "collect");
	if (lock < 0)
		return r->status = sig_caught ? sig_status() : EXIT_CANTCREAT, -1;
	int rc = -1, fd = -1;
	if (jobs_get(&r->db, id, &j) != 0 || j.collected) {
		rc = j.collected ? 0 : -1;
		goto out;
	}
	const struct jobapi *api = jobapi_for(j.provider);
	struct emitter e = { .r = r, .tx = { .s = &r->db } };
	buf_init(&e.out, (size_t)1 << 30);
	char gone[300] = "";
	if (api && (st.results[0][0] || st.results[1][0])) {
		char path[4200];
		snprintf(path, sizeof path, "%s/chat-batch-XXXXXX", tmpdir());
		fd = mkstemp(path);
		if (fd < 0) {
			error("cannot make a temporary file in %s: %s", tmpdir(), strerror(errno));
			r->status = EXIT_CANTCREAT;
			buf_free(&e.out);
			goto out;
		}
		unlink(path);
		int f = fetch_results(r, &j, api, &st, fd, gone, sizeof gone);
		if (f < 0) {
			buf_free(&e.out);
			goto out;
		}
		lseek(fd, 0, SEEK_SET);
		if (!f)
			from_results(&e, &j, api, fd);
	}
	if (!e.fatal && !sig_caught)
		leftovers(&e, &j, gone[0] ? gone : NULL);
	if (!e.fatal)
		flush(&e);
	buf_free(&e.out);
	if (!e.fatal && !sig_caught) {
		j.collected = 1;
		if (jobs_recount(&r->db, &j) < 0 || jobs_put(&r->db, &j) < 0)
			r->status = EXIT_CANTCREAT;
		else
			rc = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	store_mutex_release(&r->db, lock);
	return rc;
}

int jobrun_collect(struct jobrun *r, jv jobs, int all_done)
{
	long waiting = 0;
	jv_array_foreach(jobs, i, id) {
		if (!sig_caught) {
			int c = collect_one(r, jv_string_value(id));
			if (c == 1) {
				waiting++;
				if (!all_done && !r->s->opts->quiet)
					warn("job %s has not ended yet: try again later (or use --wait)", jv_string_value(id));
			}
		}
		jv_free(id);
	}
	if (sig_caught)
		return sig_status();
	if (r->status)
		return r->status;
	if (waiting && !all_done)
		return EXIT_TEMPFAIL;
	return r->errors ? EXIT_PARTIAL : 0;
}

int jobrun_cancel(struct jobrun *r, jv jobs)
{
	jv_array_foreach(jobs, i, id) {
		struct jobrow j;
		if (!sig_caught && load(r, id, &j) == 0) {
			if (jobapi_ended(j.status) || j.collected) {
				if (!r->s->opts->quiet)
					warn("job %s has already ended (%s)", j.id, j.status);
			} else if (!j.remote[0]) {
				/* never sent: there is nobody to ask */
				snprintf(j.status, sizeof j.status, "cancelled");
				if (jobs_put(&r->db, &j) < 0)
					r->status = EXIT_CANTCREAT;
			} else {
				const struct jobapi *api = jobapi_for(j.provider);
				const struct jobapi_conn *c = api ? jobrun_conn(r, j.provider) : NULL;
				struct jobapi_state st;
				struct chat_error err = { 0 };
				memset(&st, 0, sizeof st);
				if (c && api->cancel(c, j.remote, &st, &err) < 0) {
					error("job %s: %s: %s", j.id, j.provider, err.message);
					if (!r->status)
						r->status = err_exit_status(err.code);
				} else if (c) {
					snprintf(j.status, sizeof j.status, "%s", st.status[0] ? st.status : "cancelling");
					if (jobs_put(&r->db, &j) < 0)
						r->status = EXIT_CANTCREAT;
				}
			}
			jobrun_emit(r, jobrun_record(r, &j));
		}
		jv_free(id);
	}
	return sig_caught ? sig_status() : r->status;
}

int jobrun_list(struct jobrun *r)
{
	jv all = jobs_ids(&r->db, 1);
	jv_array_foreach(all, i, id) {
		struct jobrow j;
		if (!sig_caught && load(r, id, &j) == 0)
			jobrun_emit(r, jobrun_record(r, &j));
		jv_free(id);
	}
	jv_free(all);
	return sig_caught ? sig_status() : r->status;
}

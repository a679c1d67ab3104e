#include "models.h"
#include "numparse.h"
#include "buf.h"
#include "datafile.h"
#include "diag.h"
#include "fdio.h"
#include "jsonx.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* $CHAT_MODELS, else the table beside the program, else where make install
 * put it (a table that is nowhere is an empty one: see models_load). */
static void table_path(char *out, size_t cap)
{
	static const char *const names[] = { "models", NULL };
	datafile_path("CHAT_MODELS", DATAFILE_ENV_FILE, names, out, cap, NULL, 0);
}

/* A price in dollars: "-" (unknown) is -1, and anything but a finite
 * number from 0 up is -2, malformed (a negative or nan price would make
 * every budget check pass). */
static double price(const char *s)
{
	if (!strcmp(s, "-"))
		return -1;
	char why[200];
	double d;
	return parse_number("price", s, 0, 1e9, &d, why, sizeof why) < 0 ? -2 : d;
}

/* One "[quality/]WxH=usd" item of an image price list: 0 or -1. */
static int price_item(const char *s, size_t n)
{
	char item[96], *eq;
	if (n == 0 || n >= sizeof item)
		return -1;
	snprintf(item, sizeof item, "%.*s", (int)n, s);
	eq = strchr(item, '=');
	if (!eq || eq == item || price(eq + 1) < 0)
		return -1;
	*eq = 0;
	const char *size = strchr(item, '/') ? strchr(item, '/') + 1 : item;
	long w, h;
	return sscanf(size, "%ldx%ld", &w, &h) == 2 && w > 0 && h > 0 ? 0 : -1;
}

/* An image price: "-", one price for every image, or a list by size and
 * quality. 0, or -1 when malformed. */
static int image_price(struct model_info *mi, const char *s)
{
	mi->image_prices[0] = 0;
	if (!strchr(s, '=')) {
		mi->image_usd = price(s);
		return mi->image_usd < -1 ? -1 : 0;
	}
	mi->image_usd = -1;
	if (strlen(s) >= sizeof mi->image_prices)
		return -1;
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, ",");
		if (price_item(p, n) < 0)
			return -1;
		p += n;
		if (!*p)
			break;
	}
	snprintf(mi->image_prices, sizeof mi->image_prices, "%s", s);
	return 0;
}

static long count(const char *s)
{
	if (!strcmp(s, "-"))
		return 0;
	char why[200];
	long long v;
	return parse_whole("count", s, 0, 1000000000000LL, &v, why, sizeof why) < 0 ? -1 : (long)v;
}

static struct model_info *slot(struct models *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	struct model_info *v = realloc(m->v, (m->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	m->v = v;
	memset(&v[m->n], 0, sizeof *v);
	snprintf(v[m->n].name, sizeof v[m->n].name, "%s", name);
	v[m->n].in_usd = v[m->n].cached_usd = v[m->n].out_usd = v[m->n].image_usd = v[m->n].img_in_usd = -1;
	v[m->n].batch_in_usd = v[m->n].batch_cached_usd = v[m->n].batch_out_usd = -1;
	snprintf(v[m->n].inputs, sizeof v[m->n].inputs, "text");
	snprintf(v[m->n].outputs, sizeof v[m->n].outputs, "text");
	snprintf(v[m->n].tokenizer, sizeof v[m->n].tokenizer, "-");
	return &v[m->n++];
}

/* the longest column a table line may have, in bytes, and its end */
#define MODEL_FIELD_MAX 200

/* Up to max whitespace-separated fields of line, cut in place: their
 * number, or max + 1 when there are more; -1 when one is too long. */
static int split_fields(char *line, const char **f, int max)
{
	int k = 0;
	for (char *p = line;;) {
		p += strspn(p, " \t\r");
		if (!*p)
			return k;
		if (k == max)
			return max + 1;
		size_t n = strcspn(p, " \t\r");
		if (n >= MODEL_FIELD_MAX)
			return -1;
		f[k++] = p;
		if (!p[n])
			return k;
		p[n] = 0;
		p += n + 1;
	}
}

static int parse_table(struct models *m, char *text)
{
	long lineno = 0;
	char *line;
	while ((line = strsep(&text, "\n")) != NULL) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		/* 17 columns; tables of 16 (before img_in) and 13 (before the
		 * batch prices) still load */
		const char *f[17];
		int k = split_fields(line, f, 17);
		if (k < 0)
			return error("model table %s: line %ld: a column is longer than %d bytes", m->path, lineno,
				     MODEL_FIELD_MAX - 1);
		struct model_info *mi = k == 17 || k == 16 || k == 13 ? slot(m, f[0]) : NULL;
		if (!mi)
			return error("model table %s: line %ld: expected 17 columns", m->path, lineno);
		if (k == 13) { /* no batch prices: the date moves to the end */
			f[15] = f[12];
			f[12] = f[13] = f[14] = "-";
			k = 16;
		}
		if (k == 16) { /* no img_in: put "-" in its place */
			for (int i = 16; i > 12; i--)
				f[i] = f[i - 1];
			f[12] = "-";
		}
		snprintf(mi->provider, sizeof mi->provider, "%s", f[1]);
		mi->context = count(f[2]);
		mi->max_output = count(f[3]);
		snprintf(mi->inputs, sizeof mi->inputs, "%s", f[4]);
		snprintf(mi->outputs, sizeof mi->outputs, "%s", f[5]);
		snprintf(mi->tokenizer, sizeof mi->tokenizer, "%s", f[6]);
		mi->max_side = count(f[7]);
		mi->in_usd = price(f[8]);
		mi->cached_usd = price(f[9]);
		mi->out_usd = price(f[10]);
		int bad = image_price(mi, f[11]);
		mi->img_in_usd = price(f[12]);
		mi->batch_in_usd = price(f[13]);
		mi->batch_cached_usd = price(f[14]);
		mi->batch_out_usd = price(f[15]);
		snprintf(mi->date, sizeof mi->date, "%s", f[16]);
		if (bad || mi->context < 0 || mi->max_output < 0 || mi->max_side < 0 || mi->in_usd < -1 ||
		    mi->cached_usd < -1 || mi->out_usd < -1 || mi->img_in_usd < -1 || mi->batch_in_usd < -1 ||
		    mi->batch_cached_usd < -1 || mi->batch_out_usd < -1)
			return error("model table %s: line %ld: a number is malformed", m->path, lineno);
	}
	return 0;
}

/* [model NAME] sections: any field of the table, by its column name. */
static int overlay(struct models *m, const struct config *cfg)
{
	for (size_t i = 0; cfg && i < cfg->n; i++) {
		const struct config_entry *e = &cfg->v[i];
		if (strncmp(e->section, "model ", 6))
			continue;
		struct model_info *mi = slot(m, e->section + 6);
		if (!mi)
			return error("out of memory");
		const char *k = e->key, *v = e->value;
		int bad = 0;
		if (!strcmp(k, "provider"))
			snprintf(mi->provider, sizeof mi->provider, "%s", v);
		else if (!strcmp(k, "inputs"))
			snprintf(mi->inputs, sizeof mi->inputs, "%s", v);
		else if (!strcmp(k, "outputs"))
			snprintf(mi->outputs, sizeof mi->outputs, "%s", v);
		else if (!strcmp(k, "tokenizer"))
			snprintf(mi->tokenizer, sizeof mi->tokenizer, "%s", v);
		else if (!strcmp(k, "context"))
			bad = (mi->context = count(v)) < 0;
		else if (!strcmp(k, "max_out"))
			bad = (mi->max_output = count(v)) < 0;
		else if (!strcmp(k, "max_side"))
			bad = (mi->max_side = count(v)) < 0;
		else if (!strcmp(k, "in_usd"))
			bad = (mi->in_usd = price(v)) < -1;
		else if (!strcmp(k, "cached_usd"))
			bad = (mi->cached_usd = price(v)) < -1;
		else if (!strcmp(k, "out_usd"))
			bad = (mi->out_usd = price(v)) < -1;
		else if (!strcmp(k, "image_usd"))
			bad = image_price(mi, v) < 0;
		else if (!strcmp(k, "img_in_usd"))
			bad = (mi->img_in_usd = price(v)) < -1;
		else if (!strcmp(k, "batch_in_usd"))
			bad = (mi->batch_in_usd = price(v)) < -1;
		else if (!strcmp(k, "batch_cached_usd"))
			bad = (mi->batch_cached_usd = price(v)) < -1;
		else if (!strcmp(k, "batch_out_usd"))
			bad = (mi->batch_out_usd = price(v)) < -1;
		else
			return error("config: [%s]: unknown key '%s'", e->section, k);
		if (bad)
			return error("config: [%s]: %s = %s is not a number%s", e->section, k, v,
				     strcmp(k, "image_usd") ? "" : " (or a list such as 1024x1024=0.04,hd/1024x1024=0.08)");
		if (!mi->date[0])
			snprintf(mi->date, sizeof mi->date, "config");
	}
	return 0;
}

int models_load(struct models *m, const struct config *cfg)
{
	memset(m, 0, sizeof *m);
	table_path(m->path, sizeof m->path);
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct buf b = BUF_INIT(1 << 22);
		int r = read_all(fd, &b);
		close(fd);
		if (r == 0 && b.p)
			r = parse_table(m, b.p);
		buf_free(&b);
		if (r < 0)
			return -1;
	} else if (errno != ENOENT || getenv("CHAT_MODELS")) {
		return error("model table %s: %s", m->path, strerror(errno));
	}
	return overlay(m, cfg);
}

void models_free(struct models *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const char *models_alias(const struct config *cfg, const char *name)
{
	const char *a = config_get(cfg, "aliases", name);
	return a && *a ? a : name;
}

const struct model_info *models_find(const struct models *m, const char *name)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

int model_accepts(const struct model_info *mi, const char *kind)
{
	size_t n = strlen(kind);
	for (const char *p = mi->inputs; (p = strstr(p, kind)); p += n)
		if ((p == mi->inputs || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
	return 0;
}

double model_cost(const struct model_info *mi, long input, long cached, long output)
{
	if (!mi || mi->in_usd < 0 || mi->out_usd < 0)
		return -1;
	double cached_price = mi->cached_usd >= 0 ? mi->cached_usd : mi->in_usd;
	double usd = ((double)(input - cached) * mi->in_usd + (double)cached * cached_price + (double)output * mi->out_usd) / 1e6;
	return round(usd * 1e10) / 1e10; /* to a hundred-millionth of a cent: no float noise in records */
}

double model_batch_cost(const struct model_info *mi, long input, long cached, long output)
{
	if (!mi || mi->batch_in_usd < 0 || mi->batch_out_usd < 0)
		return -1;
	struct model_info b = *mi;
	b.in_usd = mi->batch_in_usd;
	b.cached_usd = mi->batch_cached_usd;
	b.out_usd = mi->batch_out_usd;
	return model_cost(&b, input, cached, output);
}

double model_image_price(const struct model_info *mi, const char *quality, const char *size)
{
	if (!mi)
		return -1;
	if (!mi->image_prices[0])
		return mi->image_usd;
	char key[96];
	if (!quality || !strcmp(quality, "standard"))
		snprintf(key, sizeof key, "%s=", size ? size : "");
	else
		snprintf(key, sizeof key, "%s/%s=", quality, size ? size : "");
	size_t kl = strlen(key);
	for (const char *p = mi->image_prices; *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, key, kl))
			return strtod(p + kl, NULL);
	}
	return -1;
}

double model_image_cost(const struct model_info *mi, long text_in, long image_in, long output)
{
	if (!mi || mi->in_usd < 0 || mi->out_usd < 0 || (image_in > 0 && mi->img_in_usd < 0))
		return -1;
	double img = image_in > 0 ? (double)image_in * mi->img_in_usd : 0;
	double usd = ((double)text_in * mi->in_usd + img + (double)output * mi->out_usd) / 1e6;
	return round(usd * 1e10) / 1e10;
}

static jv price_jv(double d)
{
	return d >= 0 ? jv_number(d) : jv_null();
}

/* The price per image as a record says it: a number, an object by
 * "[quality/]size", or null. */
static jv image_price_jv(const struct model_info *mi)
{
	if (!mi->image_prices[0])
		return price_jv(mi->image_usd);
	jv o = jv_object();
	for (const char *p = mi->image_prices; *p; p += strcspn(p, ","), p += *p == ',') {
		size_t n = strcspn(p, "=");
		o = jv_object_set(o, jv_string_sized(p, (int)n), jv_number(strtod(p + n + 1, NULL)));
	}
	return o;
}

int models_print(const struct models *m, int json)
{
	struct buf out = BUF_INIT(1 << 22);
	if (!json)
		buf_addf(&out, "%-24s %-9s %8s %7s %-17s %-11s %7s %7s %7s  %s\n", "MODEL", "PROVIDER", "CONTEXT",
			 "MAX_OUT", "INPUTS", "OUTPUTS", "IN/1M", "CACHED", "OUT/1M", "PRICES OF");
	for (size_t i = 0; i < m->n; i++) {
		const struct model_info *mi = &m->v[i];
		if (json) {
			jv o = JV_OBJECT(jv_string("type"), jv_string("model"), jv_string("name"), jv_string(mi->name),
					 jv_string("provider"), jv_string(mi->provider),
					 jv_string("context"), jv_number((double)mi->context),
					 jv_string("max_output"), jv_number((double)mi->max_output));
			o = jv_object_set(o, jv_string("inputs"), jv_string(mi->inputs));
			o = jv_object_set(o, jv_string("outputs"), jv_string(mi->outputs));
			o = jv_object_set(o, jv_string("tokenizer"), strcmp(mi->tokenizer, "-") ? jv_string(mi->tokenizer) : jv_null());
			o = jv_object_set(o, jv_string("max_side"), mi->max_side ? jv_number((double)mi->max_side) : jv_null());
			jv per_1m = JV_OBJECT(jv_string("input"), price_jv(mi->in_usd), jv_string("cached"),
					      price_jv(mi->cached_usd), jv_string("output"), price_jv(mi->out_usd));
			if (mi->img_in_usd >= 0)
				per_1m = jv_object_set(per_1m, jv_string("image_input"), jv_number(mi->img_in_usd));
			o = jv_object_set(o, jv_string("usd_per_1m"), per_1m);
			o = jv_object_set(o, jv_string("usd_per_image"), image_price_jv(mi));
			o = jv_object_set(o, jv_string("batch_usd_per_1m"), JV_OBJECT(jv_string("input"),
					  price_jv(mi->batch_in_usd), jv_string("cached"), price_jv(mi->batch_cached_usd),
					  jv_string("output"), price_jv(mi->batch_out_usd)));
			o = jv_object_set(o, jv_string("prices_date"), jv_string(mi->date));
			jx_dump_line(o, &out);
		} else {
			char in[16] = "-", ca[16] = "-", ou[16] = "-";
			if (mi->in_usd >= 0) snprintf(in, sizeof in, "%.3f", mi->in_usd);
			if (mi->cached_usd >= 0) snprintf(ca, sizeof ca, "%.3f", mi->cached_usd);
			if (mi->out_usd >= 0) snprintf(ou, sizeof ou, "%.3f", mi->out_usd);
			buf_addf(&out, "%-24s %-9s %8ld %7ld %-17s %-11s %7s %7s %7s  %s\n", mi->name, mi->provider,
				 mi->context, mi->max_output, mi->inputs, mi->outputs, in, ca, ou, mi->date);
		}
	}
	int r = write_all(1, out.p ? out.p : "", out.len);
	buf_free(&out);
	return r < 0 && errno != EPIPE ? error("cannot write output: %s", strerror(errno)), EXIT_CANTCREAT : 0;
}

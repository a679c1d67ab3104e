# chat — AI chat from the Unix shell.  make; make check; make install PREFIX=...
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/chat
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
VERSION = 0.1.0

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter -Wformat=2 -Wno-format-truncation -Wvla
# debug info names sources relative to the tree, so installed programs hold no build path
ALL_CFLAGS = $(WARN) -fdebug-prefix-map=$(CURDIR)=. -D_GNU_SOURCE -DCHAT_VERSION='"$(VERSION)"' \
       -DCHAT_DATADIR='"$(DATADIR)"' -Ilib $(CURL_CFLAGS) $(JQ_CFLAGS) $(SQLITE_CFLAGS) $(PG_CFLAGS) $(IMG_CFLAGS) $(CFLAGS) -MMD -MP

# each program records only the libraries it really uses
ALL_LDFLAGS = -Wl,--as-needed $(LDFLAGS)

PKG_CONFIG ?= pkg-config
CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
CURL_LIBS := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl)
# The programs that send a prompt link libcurl statically too when its
# archive is installed (Debian's libcurl4-openssl-dev has it): the shared
# library's 540 symbol relocations (0.85 million instructions of the
# loader's) come before main on every start. The libraries libcurl itself
# needs stay shared: the archive is followed by the sonames the shared
# libcurl names (Debian installs no -dev link for most of them).
# CURL_STATIC=no links the shared libcurl everywhere.
CURL_STATIC ?= yes
CURL_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir libcurl 2>/dev/null)
CURL_A := $(if $(filter yes,$(CURL_STATIC)),$(wildcard $(CURL_LIBDIR)/libcurl.a))
CURL_NEEDED := $(if $(CURL_A),$(shell readelf -dW $(CURL_LIBDIR)/libcurl.so 2>/dev/null | \
	sed -n 's/.*(NEEDED).*\[\(.*\)\]/-l:\1/p' | grep -v '^-l:libc\.so'))
CURL_SEND_LIBS := $(if $(CURL_NEEDED),$(CURL_A) $(CURL_NEEDED),$(CURL_LIBS))
# Debian's jq 1.6 ships no libjq.pc: fall back to -ljq.
JQ_CFLAGS := $(shell $(PKG_CONFIG) --cflags libjq 2>/dev/null)
JQ_LIBS := $(shell $(PKG_CONFIG) --libs libjq 2>/dev/null || echo -ljq)
# The image libraries' headers. The programs link none of them: libpng,
# libjpeg, libwebp, giflib and libheif are opened when an image is met
# (lib/media/*_lib.c), as loading them made every start, a reply's included,
# slower. IMG_LIBS links them into the test tools that call them directly
# (giflib has no .pc file, so -lgif by name).
IMG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpng libjpeg libwebp libwebpdemux libheif 2>/dev/null)
IMG_LIBS := $(shell $(PKG_CONFIG) --libs libpng libjpeg libwebp libwebpdemux 2>/dev/null || \
	echo -lpng16 -ljpeg -lwebpdemux -lwebp) -lgif
HEIF_LIBS := $(shell $(PKG_CONFIG) --libs libheif 2>/dev/null || echo -lheif)
# the test images' WebP animations and EXIF chunks (tests/bin/mkimage only)
WEBPMUX_LIBS := $(shell $(PKG_CONFIG) --libs libwebpmux 2>/dev/null || echo -lwebpmux)
# the interactive session's line editing (bin/chat only; <histedit.h> needs no -I)
EDIT_LIBS := $(shell $(PKG_CONFIG) --libs libedit 2>/dev/null || echo -ledit)
SQLITE_CFLAGS := $(shell $(PKG_CONFIG) --cflags sqlite3 2>/dev/null)
SQLITE_LIBS := $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3)
# The programs that send a prompt (chat, chat-stream, chat-send) link
# SQLite statically when its archive is installed (Debian's libsqlite3-dev
# has it): the shared library's 1,600 symbol relocations cost every start
# about a fifth of a millisecond before main, the first reply byte's
# included. The others keep the shared library (1.3 MB smaller each).
# SQLITE_STATIC=no links the shared library everywhere.
SQLITE_STATIC ?= yes
SQLITE_A := $(if $(filter yes,$(SQLITE_STATIC)),$(wildcard $(shell $(PKG_CONFIG) --variable=libdir sqlite3 2>/dev/null)/libsqlite3.a))
bin/chat bin/chat-stream bin/chat-send: SQLITE_LIBS := $(or $(SQLITE_A),$(SQLITE_LIBS))
bin/chat bin/chat-stream bin/chat-send: CURL_LIBS := $(CURL_SEND_LIBS)
# the history in PostgreSQL (Debian's libpq-dev)
PG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
# libpq is opened when a history is a PostgreSQL connection string
# (lib/pq_lib.c), not linked

ifeq ($(V),1)
Q =
else
Q = @
endif

# the core, then one folder per subsystem (README: Source layout)
LIB_SRC = $(wildcard lib/*.c lib/*/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
PROGS = chat chat-stream chat-send chat-history chat-upload chat-cost chat-image chat-batch chat-split chat-key
BINS = $(addprefix bin/,$(PROGS))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:.c=)
FAKEPROV_OBJ = $(patsubst %.c,%.o,$(wildcard tests/fakeprov/*.c))
TEST_TOOLS = tests/bin/fakeprov tests/bin/mkimage tests/bin/mkmedia tests/bin/clitable tests/bin/ptydrive tests/bin/fileserve
# the tokenizer's rank tables, compacted for mapping from the published text
TOK_DATA = share/chat/o200k_base.bin share/chat/cl100k_base.bin

all: $(BINS) $(TOK_DATA)

lib/libchat.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

%.o: %.c
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.o lib/libchat.a
	@mkdir -p bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/libchat.a $(CURL_LIBS) $(JQ_LIBS) $(SQLITE_LIBS) -lm -pthread

bin/chat: cmd/chat.o lib/libchat.a
	@mkdir -p bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< lib/libchat.a $(EDIT_LIBS) $(CURL_LIBS) $(JQ_LIBS) $(SQLITE_LIBS) -lm -pthread

tests/unit/test_%: tests/unit/test_%.o tests/unit/tap.o lib/libchat.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(JQ_LIBS) $(SQLITE_LIBS) $(IMG_LIBS) $(HEIF_LIBS) -lm -pthread

tests/bin/fakeprov: $(FAKEPROV_OBJ) lib/libchat.a
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(JQ_LIBS) $(IMG_LIBS) -lm -pthread

tests/bin/mkimage: tests/tools/mkimage.c
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(IMG_LIBS) $(WEBPMUX_LIBS) $(HEIF_LIBS)

tests/bin/mkmedia: tests/tools/mkmedia.c
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# plays a script against a program on a pseudo-terminal (forkpty is in libutil)
tests/bin/ptydrive: tests/tools/ptydrive.c
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lutil

# a small HTTP server on 127.0.0.1 for the tests of fetching URLs
tests/bin/fileserve: tests/tools/fileserve.c
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

tests/bin/clitable: tests/tools/clitable.o lib/libchat.a
	@mkdir -p tests/bin
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(JQ_LIBS) $(SQLITE_LIBS) -lm -pthread

# libFuzzer targets (clang) for the image decoders (PNG and JPEG together,
# then GIF, WebP and HEIC each), the SSE parser, the record reader, the kept
# JSON parser beside jv_parse_sized, the PDF
# page count and the audio duration readers;
# `make fuzz` runs each for FUZZ_TIME seconds on its corpus
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_TARGETS = image gif webp heif sse records jxparse pdf audio pgquery
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib
IMG_SRC = $(wildcard lib/media/image_*.c lib/media/*_lib.c) lib/dynlib.c lib/buf.c lib/thread.c
tests/fuzz/fuzz_image tests/fuzz/fuzz_gif tests/fuzz/fuzz_webp tests/fuzz/fuzz_heif: tests/fuzz/fuzz_%: \
		tests/fuzz/fuzz_%.c tests/fuzz/image_path.h $(IMG_SRC) lib/media/image.h lib/media/image_decoders.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(IMG_CFLAGS) -o $@ $< $(IMG_SRC) $(IMG_LIBS)

SSE_SRC = lib/sse.c lib/buf.c
tests/fuzz/fuzz_sse: tests/fuzz/fuzz_sse.c $(SSE_SRC) lib/sse.h lib/buf.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(SSE_SRC)

REC_SRC = lib/records.c lib/jsonx.c lib/fdio.c lib/diag.c lib/buf.c lib/sig.c lib/thread.c
tests/fuzz/fuzz_records: tests/fuzz/fuzz_records.c $(REC_SRC) lib/records.h lib/jsonx.h lib/buf.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(JQ_CFLAGS) -o $@ $< $(REC_SRC) $(JQ_LIBS) -pthread

tests/fuzz/fuzz_jxparse: tests/fuzz/fuzz_jxparse.c tests/unit/jx_same.h lib/jxparse.c lib/jxparse.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(JQ_CFLAGS) -o $@ $< lib/jxparse.c $(JQ_LIBS)

tests/fuzz/fuzz_pdf: tests/fuzz/fuzz_pdf.c lib/media/pdf.c lib/media/pdf.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< lib/media/pdf.c

tests/fuzz/fuzz_audio: tests/fuzz/fuzz_audio.c lib/media/audio.c lib/media/audio.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< lib/media/audio.c -lm

tests/fuzz/fuzz_pgquery: tests/fuzz/fuzz_pgquery.c lib/history/pgquery.c lib/history/pgquery.h lib/buf.c lib/buf.h
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< lib/history/pgquery.c lib/buf.c

fuzz: $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do d=$$(mktemp -d) && tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
	    -max_len=4096 -malloc_limit_mb=80 $$d tests/fuzz/corpus_$$t; r=$$?; rm -rf $$d; [ $$r -eq 0 ] || exit $$r; done

check: all $(UNIT_BINS) $(TEST_TOOLS)
	@sh tests/run.sh

demo: all $(TEST_TOOLS)
	@sh scripts/demo.sh

bench: all tests/bin/fakeprov
	@sh scripts/bench.sh

deps:
	sh scripts/deps.sh

BPE_OBJ = lib/tokens/bpe.o lib/base64.o lib/buf.o lib/sha256.o
scripts/mkbpe: scripts/mkbpe.c $(BPE_OBJ)
	@echo "  LINK    $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BPE_OBJ)

share/chat/%.bin: share/chat/%.tiktoken scripts/mkbpe
	@echo "  BPE     $@"
	$(Q)scripts/mkbpe $* $< $@

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(DATADIR)
	install -m 644 share/chat/models $(DESTDIR)$(DATADIR)/models
	install -m 644 share/chat/providers $(DESTDIR)$(DATADIR)/providers
	install -m 644 $(TOK_DATA) $(DESTDIR)$(DATADIR)
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/chat.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/chat.7 $(DESTDIR)$(MANDIR)/man7
	for p in $(PROGS); do install -m 644 completions/chat.bash $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m 644 completions/_chat $(DESTDIR)$(ZSHCOMPDIR)/_chat
	for p in $(PROGS); do install -m 644 completions/chat.fish $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANDIR)/man1/$$p.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/$$p $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done
	rm -f $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/providers $(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(TOK_DATA)))
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_chat $(DESTDIR)$(MANDIR)/man5/chat.5 $(DESTDIR)$(MANDIR)/man7/chat.7

clean:
	rm -rf bin lib/libchat.a $(LIB_OBJ) $(LIB_OBJ:.o=.d) cmd/*.o cmd/*.d tests/bin $(FAKEPROV_OBJ) $(FAKEPROV_OBJ:.o=.d) \
	    tests/unit/*.o tests/unit/*.d $(UNIT_BINS) $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS)) \
	    scripts/mkbpe scripts/*.d $(TOK_DATA) tests/tools/*.o tests/tools/*.d

.PHONY: all check demo bench deps install uninstall clean fuzz
.SECONDARY: $(LIB_OBJ) $(addsuffix .o,$(addprefix cmd/,$(PROGS))) $(UNIT_SRC:.c=.o) tests/unit/tap.o $(FAKEPROV_OBJ)
-include $(wildcard $(LIB_OBJ:.o=.d) cmd/*.d tests/fakeprov/*.d tests/unit/*.d scripts/*.d)

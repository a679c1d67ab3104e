lib/session.o: lib/session.c lib/session.h lib/cli.h lib/config.h \
 lib/exchange.h lib/provider.h lib/buf.h lib/chaterr.h lib/sse.h \
 lib/diag.h
lib/session.h:
lib/cli.h:
lib/config.h:
lib/exchange.h:
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:
lib/diag.h:

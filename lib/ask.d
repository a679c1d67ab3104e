lib/ask.o: lib/ask.c lib/ask.h lib/session.h lib/cli.h lib/config.h \
 lib/exchange.h lib/provider.h lib/buf.h lib/chaterr.h lib/sse.h \
 lib/diag.h lib/iox.h lib/jsonx.h lib/response.h lib/sig.h
lib/ask.h:
lib/session.h:
lib/cli.h:
lib/config.h:
lib/exchange.h:
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:
lib/diag.h:
lib/iox.h:
lib/jsonx.h:
lib/response.h:
lib/sig.h:

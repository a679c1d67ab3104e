lib/exchange.o: lib/exchange.c lib/exchange.h lib/provider.h lib/buf.h \
 lib/chaterr.h lib/sse.h lib/diag.h lib/http.h lib/sig.h
lib/exchange.h:
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:
lib/diag.h:
lib/http.h:
lib/sig.h:

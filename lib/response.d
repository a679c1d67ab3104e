lib/response.o: lib/response.c lib/response.h lib/exchange.h \
 lib/provider.h lib/buf.h lib/chaterr.h lib/sse.h
lib/response.h:
lib/exchange.h:
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:

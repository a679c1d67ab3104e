lib/provider.o: lib/provider.c lib/provider.h lib/buf.h lib/chaterr.h \
 lib/sse.h
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:

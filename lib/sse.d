lib/sse.o: lib/sse.c lib/sse.h lib/buf.h
lib/sse.h:
lib/buf.h:

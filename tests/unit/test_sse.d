tests/unit/test_sse.o: tests/unit/test_sse.c lib/base64.h lib/buf.h \
 lib/buf.h lib/jsonx.h lib/sse.h tests/unit/tap.h
lib/base64.h:
lib/buf.h:
lib/buf.h:
lib/jsonx.h:
lib/sse.h:
tests/unit/tap.h:

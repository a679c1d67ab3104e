tests/unit/test_records.o: tests/unit/test_records.c lib/base64.h \
 lib/buf.h lib/diag.h lib/jsonx.h lib/records.h tests/unit/tap.h
lib/base64.h:
lib/buf.h:
lib/diag.h:
lib/jsonx.h:
lib/records.h:
tests/unit/tap.h:

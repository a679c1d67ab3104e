lib/records.o: lib/records.c lib/records.h lib/buf.h lib/diag.h \
 lib/jsonx.h
lib/records.h:
lib/buf.h:
lib/diag.h:
lib/jsonx.h:

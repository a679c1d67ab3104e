lib/input.o: lib/input.c lib/input.h lib/buf.h lib/cli.h lib/records.h \
 lib/diag.h
lib/input.h:
lib/buf.h:
lib/cli.h:
lib/records.h:
lib/diag.h:

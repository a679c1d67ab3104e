lib/config.o: lib/config.c lib/config.h lib/buf.h lib/diag.h lib/iox.h
lib/config.h:
lib/buf.h:
lib/diag.h:
lib/iox.h:

lib/http.o: lib/http.c lib/http.h lib/buf.h lib/diag.h lib/sig.h
lib/http.h:
lib/buf.h:
lib/diag.h:
lib/sig.h:

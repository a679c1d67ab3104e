lib/diag.o: lib/diag.c lib/diag.h
lib/diag.h:

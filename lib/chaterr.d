lib/chaterr.o: lib/chaterr.c lib/chaterr.h lib/diag.h
lib/chaterr.h:
lib/diag.h:

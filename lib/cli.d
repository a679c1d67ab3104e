lib/cli.o: lib/cli.c lib/cli.h lib/diag.h
lib/cli.h:
lib/diag.h:

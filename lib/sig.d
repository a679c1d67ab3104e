lib/sig.o: lib/sig.c lib/sig.h
lib/sig.h:

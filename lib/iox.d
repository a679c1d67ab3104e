lib/iox.o: lib/iox.c lib/iox.h lib/buf.h
lib/iox.h:
lib/buf.h:

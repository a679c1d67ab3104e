lib/jsonx.o: lib/jsonx.c lib/jsonx.h lib/buf.h lib/iox.h
lib/jsonx.h:
lib/buf.h:
lib/iox.h:

lib/base64.o: lib/base64.c lib/base64.h lib/buf.h
lib/base64.h:
lib/buf.h:

lib/provider_openai.o: lib/provider_openai.c lib/provider.h lib/buf.h \
 lib/chaterr.h lib/sse.h lib/jsonx.h
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:
lib/jsonx.h:

cmd/chat-stream.o: cmd/chat-stream.c lib/ask.h lib/session.h lib/cli.h \
 lib/config.h lib/exchange.h lib/provider.h lib/buf.h lib/chaterr.h \
 lib/sse.h lib/diag.h lib/input.h lib/records.h lib/iox.h lib/sig.h
lib/ask.h:
lib/session.h:
lib/cli.h:
lib/config.h:
lib/exchange.h:
lib/provider.h:
lib/buf.h:
lib/chaterr.h:
lib/sse.h:
lib/diag.h:
lib/input.h:
lib/records.h:
lib/iox.h:
lib/sig.h:

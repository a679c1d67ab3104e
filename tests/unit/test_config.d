tests/unit/test_config.o: tests/unit/test_config.c lib/config.h \
 lib/diag.h tests/unit/tap.h
lib/config.h:
lib/diag.h:
tests/unit/tap.h:

tests/unit/tap.o: tests/unit/tap.c tests/unit/tap.h
tests/unit/tap.h:

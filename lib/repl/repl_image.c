#include "repl/repl.h"
#include <stdio.h>
void repl_show_image(struct repl *r, const char *path)
{
	repl_note(r, "%s", path);
}

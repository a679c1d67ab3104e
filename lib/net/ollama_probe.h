/* ollama_probe: is a local Ollama server answering? Asked when nothing
 * names a model and no cloud provider's key is set up, so that a machine
 * with only Ollama works without configuration. */
#ifndef CHAT_OLLAMA_PROBE_H
#define CHAT_OLLAMA_PROBE_H
#include <stddef.h>
#include "config.h"

/* Ask OLLAMA_HOST (127.0.0.1:11434; a URL with its scheme is taken too)
 * for /api/tags, waiting at most 300 ms. When it answers, out is
 * "ollama:NAME": the [ollama] section's model, else the first model it
 * lists, and -v says so. 0, or -1 when no server answers or it names no
 * model. */
int ollama_probe(const struct config *cfg, char *out, size_t cap);
#endif

/* encmap: which OpenAI encoding a model name uses, by the same rules as
 * tiktoken's encoding_for_model (tiktoken/model.py, MODEL_TO_ENCODING and
 * MODEL_PREFIX_TO_ENCODING): an exact name first, else the name's prefix.
 * Only names whose encoding we ship (o200k_base, cl100k_base, and
 * o200k_harmony, which is o200k_base with more special tokens) are listed;
 * the r50k_base, p50k_base and gpt2 models of the old completions API are
 * left out, so they are counted as estimates like any unknown model. */
#ifndef CHAT_ENCMAP_H
#define CHAT_ENCMAP_H

/* The encoding tiktoken gives the model, or NULL when it names none. A
 * leading "provider:" (openai:gpt-4) is looked past when the whole name is
 * not known ("ft:gpt-4o-..." is a fine-tuned model, not a provider). */
const char *encmap_model(const char *model);
/* The rank data an encoding counts with: itself, or o200k_base for
 * o200k_harmony (the same ranks and split pattern; only its special tokens
 * differ, and counts treat those as text). NULL for an encoding not shipped. */
const char *encmap_ranks(const char *encoding);
#endif

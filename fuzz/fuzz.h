/* SPDX-License-Identifier: MIT */
/* What every fuzz harness shares: the libFuzzer entry point and an assertion that stops the run. */
#ifndef CRMF_FUZZ_H
#define CRMF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called by libFuzzer (make fuzz) or by replay.c (make check) once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken oracle is a crash: libFuzzer saves the input, replay.c reports it. */
#define FUZZ_ASSERT(cond, ...)                                                                    \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "%s:%d: oracle failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                             \
			fputc('\n', stderr);                                                      \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

#endif

/* SPDX-License-Identifier: MIT */
/* A quicksort with its comparison inlined, for the few large sorts on a
 * command's path (a folder's 20,000 entries, a 50,000-row agenda), where
 * qsort's call through a pointer per comparison is most of the cost. */
#ifndef CRMF_SORT_H
#define CRMF_SORT_H

#include <stddef.h>

/*
 * Define `static void name(type *v, size_t n)`, sorting by `less(const type *a,
 * const type *b)` (true when a goes before b): median of three, the smaller
 * side sorted first (stack depth log n), insertion sort below 12 elements.
 * Not stable.
 */
#define CRMF_DEFINE_SORT(name, type, less)                                                         \
	static void name(type *v, size_t n)                                                        \
	{                                                                                          \
		while (n > 12) {                                                                   \
			size_t m = n / 2, left;                                                    \
			ptrdiff_t i = -1, j = (ptrdiff_t)n;                                        \
			type pivot, t;                                                             \
                                                                                                   \
			if (less(&v[m], &v[0]))                                                    \
				t = v[m], v[m] = v[0], v[0] = t;                                   \
			if (less(&v[n - 1], &v[m])) {                                              \
				t = v[n - 1], v[n - 1] = v[m], v[m] = t;                           \
				if (less(&v[m], &v[0]))                                            \
					t = v[m], v[m] = v[0], v[0] = t;                           \
			}                                                                          \
			pivot = v[m];                                                              \
			for (;;) {                                                                 \
				do                                                                 \
					i++;                                                       \
				while (less(&v[i], &pivot));                                       \
				do                                                                 \
					j--;                                                       \
				while (less(&pivot, &v[j]));                                       \
				if (i >= j)                                                        \
					break;                                                     \
				t = v[i], v[i] = v[j], v[j] = t;                                   \
			}                                                                          \
			left = (size_t)j + 1; /* [0, left) <= pivot <= [left, n) */                \
			if (left < n - left) {                                                     \
				name(v, left);                                                     \
				v += left;                                                         \
				n -= left;                                                         \
			} else {                                                                   \
				name(v + left, n - left);                                          \
				n = left;                                                          \
			}                                                                          \
		}                                                                                  \
		for (size_t i = 1; i < n; i++)                                                     \
			for (size_t j = i; j > 0 && less(&v[j], &v[j - 1]); j--) {                 \
				type t = v[j];                                                     \
                                                                                                   \
				v[j] = v[j - 1];                                                   \
				v[j - 1] = t;                                                      \
			}                                                                          \
	}

#endif

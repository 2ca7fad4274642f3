/* fuzz_path.c - libFuzzer target: the grid and local path expansion of cp
 * (daemon/cp/cp_path.c). Input: up to four NUL-separated strings (argument,
 * cwd, home, base) and two bytes (parent, rmprefix). Checks: with an
 * absolute cwd and home, an expanded path is absolute and normalised (no
 * //, /./, /../, no trailing /. or /..), a trailing / of the argument is
 * kept; cp_path_keep returns a suffix of its source (in buf or in it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp/cp.h"

/* Field i of the input (a fresh, NUL-terminated copy), after the 2 bytes. */
static char *fuzz_path_field(const uint8_t *data, size_t size, int i)
{
	size_t off = 2, end;

	for (; i > 0 && off < size; i--) {
		const uint8_t *z = memchr(data + off, 0, size - off);

		off = z ? (size_t)(z - data) + 1 : size;
	}
	end = off;
	while (end < size && data[end])
		end++;
	return strndup((const char *)data + off, end - off);
}

static void fuzz_path_check_abs(const char *p, const char *arg)
{
	size_t n = strlen(p), a = strlen(arg);

	if (p[0] != '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		abort();
	if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		abort();
	if (a && arg[a - 1] == '/' && p[n - 1] != '/')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg, *cwd, *home, *base, *acwd, *ahome, *p;
	char buf[8192];
	const char *kept;

	if (size < 2 || size > 4096)
		return 0;
	arg = fuzz_path_field(data, size, 0);
	cwd = fuzz_path_field(data, size, 1);
	home = fuzz_path_field(data, size, 2);
	base = fuzz_path_field(data, size, 3);
	acwd = malloc(strlen(cwd) + 2);
	ahome = malloc(strlen(home) + 2);
	strcpy(acwd, "/");
	strcat(acwd, cwd);
	strcpy(ahome, "/");
	strcat(ahome, home);

	p = cp_path_grid(arg, acwd, ahome);
	if (p) {
		const char *bare = strncmp(arg, "alien://", 8) == 0 ? arg + 8
				   : strncmp(arg, "alien:", 6) == 0 ? arg + 6
								    : arg;

		fuzz_path_check_abs(p, bare);
		free(p);
	}
	p = cp_path_local(arg, acwd, ahome);
	if (p) {
		const char *bare = strncmp(arg, "file://", 7) == 0 ? arg + 7
				   : strncmp(arg, "file:", 5) == 0 ? arg + 5
								   : arg;

		fuzz_path_check_abs(p, bare);
		free(p);
	}
	free(cp_path_grid(arg, cwd, home)); /* relative ones: no checks, only no crash */
	free(cp_path_grid(arg, NULL, NULL));
	kept = cp_path_keep(arg, base, data[0] % 8, data[1] % 8, buf, sizeof(buf));
	if ((kept != buf && (kept < arg || kept > arg + strlen(arg))) ||
	    strlen(kept) > strlen(arg) || strcmp(arg + strlen(arg) - strlen(kept), kept) != 0)
		abort();
	free(arg);
	free(cwd);
	free(home);
	free(base);
	free(acwd);
	free(ahome);
	return 0;
}

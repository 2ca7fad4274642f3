/* passphrase.c - see passphrase.h. */
#include "passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int passphrase_ask(const char *prompt, char *buf, size_t n)
{
	struct termios old, quiet;
	size_t len = 0;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), r = 0, echo_off, toolong = 0;

	if (fd < 0)
		return -ENXIO;
	echo_off = tcgetattr(fd, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		r = -EIO;
	while (r == 0) {
		char c;
		ssize_t got = read(fd, &c, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = -EIO;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (len + 1 >= n)
			toolong = 1; /* read to the end of the line, then refuse */
		else
			buf[len++] = c;
	}
	if (r == 0 && toolong)
		r = -E2BIG;
	memset(buf + (r == 0 ? len : 0), 0, n - (r == 0 ? len : 0));
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		r = r ? r : -EIO;
	close(fd);
	return r;
}

/* Forwarders for the C23 names that glibc >= 2.38 headers redirect strtol and scanf to under
 * _GNU_SOURCE (`__isoc23_strtol@GLIBC_2.38`, ...). Linked into llama-server when it is built on
 * a newer glibc, so that the binary also runs on glibc 2.36 (Debian 12). Compiled with -std=c11
 * and no _GNU_SOURCE, so that the calls below bind to the old symbols. The only difference is
 * C23's "0b" prefix, which llama-server's parsing never relies on. See build.sh. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
long long __isoc23_strtoll(const char *s, char **end, int base) { return strtoll(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
unsigned long long __isoc23_strtoull(const char *s, char **end, int base) {
    return strtoull(s, end, base);
}
intmax_t __isoc23_strtoimax(const char *s, char **end, int base) { return strtoimax(s, end, base); }
uintmax_t __isoc23_strtoumax(const char *s, char **end, int base) {
    return strtoumax(s, end, base);
}
int __isoc23_vsscanf(const char *s, const char *format, va_list args) {
    return vsscanf(s, format, args);
}
int __isoc23_vfscanf(FILE *stream, const char *format, va_list args) {
    return vfscanf(stream, format, args);
}
int __isoc23_sscanf(const char *s, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsscanf(s, format, args);
    va_end(args);
    return n;
}
int __isoc23_fscanf(FILE *stream, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vfscanf(stream, format, args);
    va_end(args);
    return n;
}
int __isoc23_scanf(const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vfscanf(stdin, format, args);
    va_end(args);
    return n;
}

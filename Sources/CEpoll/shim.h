#ifndef VECHE_CEPOLL_SHIM_H
#define VECHE_CEPOLL_SHIM_H
// Linux readiness and wake-up primitives that Swift's Glibc module map leaves out.
// Header-only: both live in libc itself, so nothing is linked.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

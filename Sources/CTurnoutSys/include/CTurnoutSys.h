// System headers the Swift Glibc module does not export, and one-line shims for the GNU-only
// calls Turnout needs. Nothing here has logic of its own.
#ifndef CTURNOUTSYS_H
#define CTURNOUTSYS_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>

/// accept4(2): accept with SOCK_NONBLOCK | SOCK_CLOEXEC in one call.
int cturnout_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
/// pipe2(2) with flags (used for splice tunnels).
int cturnout_pipe2(int fds[2], int flags);
/// The peer credentials of a Unix socket (SO_PEERCRED): uid and pid.
int cturnout_peercred(int fd, unsigned int *uid, int *pid);

/// pthread_setname_np(3): names a thread for top -H and perf.
int cturnout_set_thread_name(pthread_t thread, const char *name);

static inline int cturnout_sock_nonblock_cloexec(void) { return SOCK_NONBLOCK | SOCK_CLOEXEC; }
static inline int cturnout_sock_stream(void) { return SOCK_STREAM; }

#endif

// GNU-only calls, compiled with _GNU_SOURCE so their declarations are visible.
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include "CTurnoutSys.h"

int cturnout_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int cturnout_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int cturnout_peercred(int fd, unsigned int *uid, int *pid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *uid = cred.uid;
    *pid = cred.pid;
    return 0;
}

int cturnout_set_thread_name(pthread_t thread, const char *name) { return pthread_setname_np(thread, name); }

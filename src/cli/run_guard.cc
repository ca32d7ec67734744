#include "cli/run_guard.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "runner/supervise.h"

namespace flyte::cli {
namespace {

volatile sig_atomic_t g_engine = 0;

void Forward(int sig, siginfo_t* info, void*) {
  // Ctrl-C at a terminal (and Ctrl-\, a hang-up) reaches the whole foreground process group,
  // the engine included: forwarding it too would make one Ctrl-C count as two, and the second
  // one kills the tasks without their grace period. Only signals sent to us alone are passed on.
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  if (g_engine > 0) ::kill(static_cast<pid_t>(g_engine), sig);
}

}  // namespace

std::optional<int> SplitGuardian() {
  const pid_t guardian = ::getpid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  std::fflush(nullptr);  // or both would write what is buffered
  const pid_t engine = ::fork();
  if (engine < 0) return std::nullopt;
  if (engine == 0) {
    // The subreaper flag is not inherited; the death signal aborts like Ctrl-C.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    if (::getppid() != guardian) ::kill(::getpid(), SIGTERM);  // it died before the line above
    return std::nullopt;
  }
  g_engine = engine;
  struct sigaction sa {};
  sa.sa_sigaction = &Forward;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(sig, &sa, nullptr);
  TaskTree tree(engine);
  tree.WaitTask();
  tree.KillAll();  // what the engine could not end itself (it was killed)
  const int status = tree.status();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  // End by the same signal (as the supervisor does), so whoever waits for us sees what the
  // engine did.
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
  return 128 + sig;
}

}  // namespace flyte::cli

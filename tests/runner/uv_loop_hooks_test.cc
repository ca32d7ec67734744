// The libuv loop hooks' deferred call (UvLoopHooks::Later), which the admin's group commit
// relies on: it runs once, after its delay, on a loop with nothing else to do; a second call
// while one is pending does not move it; a cancelled one never runs; it keeps no loop alive.
#include "runner/uv_loop_hooks.h"

#include <uv.h>
#include <catch2/catch.hpp>

namespace flyte {
namespace {

// A ref'd timer keeps the loop turning until `ms`, so that unref'd hooks get their chance.
struct Deadline {
  explicit Deadline(uv_loop_t* l, uint64_t ms) : loop(l) {
    uv_timer_init(loop, &timer);
    uv_timer_start(
        &timer, [](uv_timer_t*) {}, ms, 0);
  }
  ~Deadline() {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    uv_run(loop, UV_RUN_NOWAIT);  // the close completes while the timer is alive
  }
  uv_loop_t* loop;
  uv_timer_t timer;
};

TEST_CASE("a deferred call runs once after its delay, and a second one does not move it",
          "[loop][commit]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    UvLoopHooks hooks(&loop);
    int first = 0, second = 0;
    const uint64_t t0 = hooks.NowMillis();
    uint64_t ran_at = 0;
    hooks.Later(30, [&] {
      ++first;
      ran_at = hooks.NowMillis();
    });
    hooks.Later(1, [&] { ++second; });  // pending already: ignored
    {
      Deadline d(&loop, 120);
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    CHECK(first == 1);
    CHECK(second == 0);
    CHECK(ran_at - t0 >= 30);
    // Once it ran, a new one may be set.
    hooks.Later(1, [&] { ++second; });
    {
      Deadline d(&loop, 40);
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    CHECK(second == 1);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("a cancelled deferred call never runs, and a pending one keeps no loop alive",
          "[loop][commit]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    UvLoopHooks hooks(&loop);
    int ran = 0;
    hooks.Later(10'000, [&] { ++ran; });
    // Nothing else on the loop: it ends at once instead of waiting 10 s for the call.
    CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
    hooks.CancelLater();
    hooks.Later(5, [&] { ++ran; });
    hooks.CancelLater();
    {
      Deadline d(&loop, 40);
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    CHECK(ran == 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
}

}  // namespace
}  // namespace flyte

// `flyte gc --older-than DAYS [--apply]`: the stored values of old executions that nothing
// uses any more (admin/garbage.h), listed with their sizes, and removed with --apply. It reads
// the home's database directly (a server on the same home may keep running) and removes from
// the blob folder and, with --raw-data-prefix, from the bucket.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "admin/garbage.h"
#include "cli/commands.h"
#include "flyte/admin.h"
#include "storage/data_stores.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::cli {
namespace {

std::string Bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "flyte gc: %s\n", st.message().c_str());
  return st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kNotFound
             ? kExitUsage
             : kExitInternal;
}

}  // namespace

int RunGc(const GcOptionsCli& opts) {
  const std::string home = opts.home.empty() ? DefaultHome() : opts.home;
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(home, ec).lexically_normal().string();
  if (!std::filesystem::exists(absolute + "/flyte.db", ec)) {
    return Fail(NotFound("there is no flyte home at " + absolute + ": nothing to collect"));
  }
  Result<std::unique_ptr<Store>> store = Store::Open(absolute + "/flyte.db");
  if (!store.ok()) return Fail(store.status());
  auto stores = storage::DataStores::Open(absolute + "/blobs", opts.raw_data_prefix,
                                          storage::AwsEnvironment());
  if (!stores.ok()) return Fail(stores.status());
  GcOptions o;
  o.apply = opts.apply;
  o.cutoff_nanos =
      static_cast<int64_t>(std::time(nullptr)) * 1'000'000'000 -
      static_cast<int64_t>(std::llround(opts.older_than_days * 86400.0)) * 1'000'000'000;
  Result<GcReport> report = CollectGarbage(**store, **stores, o);
  if (!report.ok()) return Fail(report.status());
  for (const std::string& e : report->errors) std::fprintf(stderr, "flyte gc: %s\n", e.c_str());
  if (opts.output == "json") {
    Value::List items;
    for (const GcValue& v : report->removed) {
      items.push_back(Value::FromMap({{"uri", Value::Str(v.uri)},
                                      {"kind", Value::Str(v.is_dir ? "dir" : "file")},
                                      {"bytes", Value::Int(static_cast<int64_t>(v.bytes))},
                                      {"orphan", Value::Bool(v.orphan)}}));
    }
    std::cout << Value::FromMap(
                     {{"applied", Value::Bool(opts.apply)},
                      {"values", Value::FromList(std::move(items))},
                      {"bytes", Value::Int(static_cast<int64_t>(report->bytes))},
                      {"kept", Value::Int(static_cast<int64_t>(report->kept))},
                      {"orphans", Value::Int(static_cast<int64_t>(report->orphans))},
                      {"old_executions", Value::Int(static_cast<int64_t>(report->old_executions))}})
                     .ToCanonicalJson()
              << "\n";
  } else {
    for (const GcValue& v : report->removed) {
      std::cout << (opts.apply ? "removed  " : "would remove  ") << v.uri << (v.is_dir ? "/" : "")
                << "  " << Bytes(v.bytes) << (v.orphan ? "  (named by nothing)" : "") << "\n";
    }
    std::cout << (opts.apply ? "removed " : "would remove ") << report->removed.size() << " value"
              << (report->removed.size() == 1 ? "" : "s") << " (" << Bytes(report->bytes) << ", "
              << report->bytes << " bytes) of " << report->old_executions << " execution"
              << (report->old_executions == 1 ? "" : "s") << " older than " << opts.older_than_days
              << " days"
              << (report->orphans == 0
                      ? std::string()
                      : " and " + std::to_string(report->orphans) + " named by nothing")
              << "; kept " << report->kept << " still in use"
              << (opts.apply ? "" : "; run again with --apply to remove them") << "\n";
  }
  return report->errors.empty() ? kExitOk : kExitInternal;
}

}  // namespace flyte::cli

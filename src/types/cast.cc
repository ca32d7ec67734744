// CheckCast follows flytepropeller's compiler/validators/typing.go rule for rule, including
// its surprises (file and dir cast both ways; int does not cast to float), so that a workflow
// accepted here is accepted by Flyte and vice versa.
#include "flyte/types.h"

namespace flyte {
namespace {

Cast FromBool(bool ok) { return ok ? Cast::kOk : Cast::kMismatch; }

// unionTypeChecker.CastsFrom.
Cast CastToUnion(const Type& upstream, const Type& downstream) {
  const std::vector<Type>& targets = downstream.variants();
  if (upstream.kind() == TypeKind::kUnion) {
    // Each upstream variant needs some home; several homes are fine here, because the value
    // arrives tagged with its variant.
    for (const Type& u : upstream.variants()) {
      bool found = false;
      for (const Type& d : targets) {
        if (IsCastable(u, d)) {
          found = true;
          break;
        }
      }
      if (!found) return Cast::kMismatch;
    }
    return Cast::kOk;
  }
  int matches = 0;
  for (const Type& d : targets) {
    if (IsCastable(upstream, d)) ++matches;
  }
  if (matches == 0) return Cast::kMismatch;
  return matches == 1 ? Cast::kOk : Cast::kAmbiguous;
}

}  // namespace

Cast CheckCast(const Type& upstream, const Type& downstream) {
  if (upstream.kind() == TypeKind::kAny || downstream.kind() == TypeKind::kAny) return Cast::kOk;
  if (downstream.kind() == TypeKind::kUnion) return CastToUnion(upstream, downstream);
  // Single-variant unions never exist after Type::Union normalizes, so an upstream union
  // cannot fit a non-union downstream.
  if (upstream.kind() == TypeKind::kUnion) return Cast::kMismatch;
  switch (downstream.kind()) {
    case TypeKind::kNone:
      return FromBool(upstream.kind() == TypeKind::kNone);
    case TypeKind::kList:
    case TypeKind::kDict:
      if (upstream.kind() != downstream.kind()) return Cast::kMismatch;
      // An empty literal ([] or {}) has element type none and fits any collection.
      if (upstream.elem().kind() == TypeKind::kNone) return Cast::kOk;
      return CheckCast(upstream.elem(), downstream.elem());
    case TypeKind::kFile:
    case TypeKind::kDir:
      // Flyte's blob checker compares formats only, never dimensionality.
      return FromBool(upstream.kind() == TypeKind::kFile || upstream.kind() == TypeKind::kDir);
    case TypeKind::kStr:
      return FromBool(upstream.kind() == TypeKind::kStr || upstream.kind() == TypeKind::kEnum);
    case TypeKind::kEnum:
      if (upstream.kind() == TypeKind::kStr) return Cast::kOk;
      return FromBool(upstream == downstream);
    case TypeKind::kInt:
    case TypeKind::kFloat:
    case TypeKind::kBool:
    case TypeKind::kDatetime:
    case TypeKind::kDuration:
    case TypeKind::kJson:
      return FromBool(upstream.kind() == downstream.kind());
    case TypeKind::kUnion:
    case TypeKind::kAny:
      break;  // handled above
  }
  return Cast::kMismatch;
}

}  // namespace flyte

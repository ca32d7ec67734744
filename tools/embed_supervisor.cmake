# Turns the static flyte-supervise program into a C++ source that carries its bytes (with
# .incbin, so the compiler never parses them) and their SHA-256, which names the file it is
# written to at run time (runner/supervisor_file.h).
# Without IN (no static libraries to build it with): no bytes, and flyte falls back.
if(NOT DEFINED IN)
  file(WRITE ${OUT} "// Generated: no static supervisor in this build; do not edit.\n"
    "#include <cstddef>\n"
    "namespace flyte {\n"
    "extern const unsigned char* const kSupervisorBytes;\n"
    "extern const std::size_t kSupervisorSize;\n"
    "extern const char kSupervisorDigest[];\n"
    "const unsigned char* const kSupervisorBytes = nullptr;\n"
    "const std::size_t kSupervisorSize = 0;\n"
    "const char kSupervisorDigest[] = \"0000000000000000\";\n"
    "}  // namespace flyte\n")
  return()
endif()
file(SHA256 ${IN} digest)
file(SIZE ${IN} size)
file(WRITE ${OUT} "// Generated from flyte-supervise; do not edit.\n"
  "#include <cstddef>\n"
  "__asm__(\".section .rodata.flyte_supervisor,\\\"a\\\"\\n\"\n"
  "        \".balign 16\\n\"\n"
  "        \".globl flyte_supervisor_bytes\\n\"\n"
  "        \".hidden flyte_supervisor_bytes\\n\"\n"
  "        \"flyte_supervisor_bytes:\\n\"\n"
  "        \".incbin \\\"${IN}\\\"\\n\"\n"
  "        \".previous\\n\");\n"
  "extern \"C\" const unsigned char flyte_supervisor_bytes[];\n"
  "namespace flyte {\n"
  "extern const unsigned char* const kSupervisorBytes;\n"
  "extern const std::size_t kSupervisorSize;\n"
  "extern const char kSupervisorDigest[];\n"
  "const unsigned char* const kSupervisorBytes = flyte_supervisor_bytes;\n"
  "const std::size_t kSupervisorSize = ${size};\n"
  "const char kSupervisorDigest[] = \"${digest}\";\n"
  "}  // namespace flyte\n")

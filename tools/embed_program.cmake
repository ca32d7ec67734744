# Turns a small static program (flyte-supervise, flyte-pod) into a C++ source that carries its
# bytes (with .incbin, so the compiler never parses them) and their SHA-256, which names the
# file it is written to at run time (runner/supervisor_file.h, runner/pod_runner.h).
# NAME: the C++ name part (kSupervisorBytes → NAME=Supervisor); SYM: the assembler symbol.
# Without IN (no static libraries to build it with): no bytes, and flyte falls back.
if(NOT DEFINED NAME)
  set(NAME Supervisor)
endif()
if(NOT DEFINED SYM)
  set(SYM flyte_supervisor_bytes)
endif()
set(decls "namespace flyte {\n"
  "extern const unsigned char* const k${NAME}Bytes;\n"
  "extern const std::size_t k${NAME}Size;\n"
  "extern const char k${NAME}Digest[];\n")
if(NOT DEFINED IN)
  file(WRITE ${OUT} "// Generated: no static ${NAME} program in this build; do not edit.\n"
    "#include <cstddef>\n"
    "${decls}"
    "const unsigned char* const k${NAME}Bytes = nullptr;\n"
    "const std::size_t k${NAME}Size = 0;\n"
    "const char k${NAME}Digest[] = \"0000000000000000\";\n"
    "}  // namespace flyte\n")
  return()
endif()
file(SHA256 ${IN} digest)
file(SIZE ${IN} size)
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n"
  "#include <cstddef>\n"
  "__asm__(\".section .rodata.${SYM},\\\"a\\\"\\n\"\n"
  "        \".balign 16\\n\"\n"
  "        \".globl ${SYM}\\n\"\n"
  "        \".hidden ${SYM}\\n\"\n"
  "        \"${SYM}:\\n\"\n"
  "        \".incbin \\\"${IN}\\\"\\n\"\n"
  "        \".previous\\n\");\n"
  "extern \"C\" const unsigned char ${SYM}[];\n"
  "${decls}"
  "const unsigned char* const k${NAME}Bytes = ${SYM};\n"
  "const std::size_t k${NAME}Size = ${size};\n"
  "const char k${NAME}Digest[] = \"${digest}\";\n"
  "}  // namespace flyte\n")

# Turns a text file into a C++ source defining `const char SYMBOL[]` (its bytes) and
# `const char SYMBOLEtag[]` (a quoted HTTP entity tag from their SHA-256) in NAMESPACE.
#   cmake -DIN=file -DOUT=file.cc -DSYMBOL=kName -DNAMESPACE=flyte [-DVERSION=0.1.0] -P embed.cmake
# A line `<!--embed FILE-->` is replaced by the text of FILE (beside IN), so one page can be
# written as several files and still be served as one; `@FLYTE_VERSION@` becomes VERSION.
file(READ ${IN} content)
get_filename_component(dir ${IN} DIRECTORY)
string(REGEX MATCHALL "<!--embed [^>]+-->" includes "${content}")
foreach(marker IN LISTS includes)
  string(REGEX REPLACE "<!--embed ([^>]+)-->" "\\1" name "${marker}")
  file(READ ${dir}/${name} part)
  string(REPLACE "${marker}" "${part}" content "${content}")
endforeach()
if(DEFINED VERSION)
  string(REPLACE "@FLYTE_VERSION@" "${VERSION}" content "${content}")
endif()
string(FIND "${content}" ")__flyte_embed__" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )__flyte_embed__")
endif()
string(SHA256 digest "${content}")
string(SUBSTRING ${digest} 0 20 etag)
get_filename_component(from ${IN} NAME)
file(WRITE ${OUT}.tmp "// Generated from ${from} by tools/embed.cmake; do not edit.\n"
  "namespace ${NAMESPACE} {\n"
  "extern const char ${SYMBOL}[];\nextern const char ${SYMBOL}Etag[];\n"
  "const char ${SYMBOL}[] = R\"__flyte_embed__(${content})__flyte_embed__\";\n"
  "const char ${SYMBOL}Etag[] = \"\\\"${etag}\\\"\";\n}\n")
# Rewrite only on change, so an unchanged asset does not recompile.
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)

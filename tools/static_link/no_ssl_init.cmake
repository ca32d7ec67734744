# Copies cpp-httplib's compiled half (IN) to OUT without its static SSLInit object, which
# initialises OpenSSL and loads all its error strings at every start of flyte (2 ms of CPU and
# ~55 page faults on the 2-core VM of docs/benchmarks.md), also for commands that never
# open a TLS connection. OpenSSL 1.1 and later initialise themselves, strings included, at
# the first SSL_CTX_new. Fails when the line is not there, so a new cpp-httplib is looked at.
file(READ ${IN} text)
set(line "static SSLInit sslinit_;")
string(FIND "${text}" "${line}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "no_ssl_init.cmake: '${line}' is not in ${IN}; check cpp-httplib's initialisation")
endif()
string(REPLACE "${line}" "// ${line} (removed by tools/static_link/no_ssl_init.cmake)" text "${text}")
file(WRITE ${OUT}.tmp "${text}")
file(RENAME ${OUT}.tmp ${OUT})

# Writes OUT: a C++ file defining `std::string_view NAME` with the bytes of
# IN. Run as `cmake -DIN=... -DOUT=... -DNAME=... -P embed.cmake`.
file(READ "${IN}" content)
set(delim "haven_embed")
string(FIND "${content}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN}; do not edit.\n#include <string_view>\n"
     "namespace haven::embedded {\n"
     "extern const std::string_view ${NAME};\n"
     "const std::string_view ${NAME} = R\"${delim}(${content})${delim}\";\n"
     "}  // namespace haven::embedded\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")

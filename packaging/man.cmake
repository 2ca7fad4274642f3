# man.cmake - cmake -DIN=page -DOUT=page.gz -DVERSION=x.y.z -P man.cmake
# Writes IN with the version on its .TH line ("jaliend <version>") set to
# VERSION, gzip -9n'd (no name or time stamp in the header) to OUT.
file(READ "${IN}" text)
string(REGEX REPLACE "^(\\.TH [^\n]*\"jaliend )[^\"]*\"" "\\1${VERSION}\"" text "${text}")
if(NOT text MATCHES "^\\.TH [^\n]*\"jaliend ${VERSION}\"")
  message(FATAL_ERROR "man.cmake: ${IN} has no .TH line naming \"jaliend <version>\"")
endif()
file(WRITE "${OUT}.tmp" "${text}")
execute_process(COMMAND gzip -9n -c "${OUT}.tmp" OUTPUT_FILE "${OUT}" RESULT_VARIABLE rc)
file(REMOVE "${OUT}.tmp")
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}")
  message(FATAL_ERROR "man.cmake: gzip of ${IN} failed: ${rc}")
endif()

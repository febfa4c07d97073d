# Installs the already-built rill into a scratch prefix, then builds and runs
# the consumer with find_package(rill), with add_subdirectory(), and with
# pkg-config flags.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${RILL_BINARY_DIR} --prefix ${prefix})

foreach(mode find_package add_subdirectory)
  set(dir ${WORK_DIR}/${mode})
  run(${CMAKE_COMMAND} -S ${RILL_SOURCE_DIR}/tests/package/consumer -B ${dir} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix}
      -DRILL_CONSUMER_MODE=${mode} -DRILL_SOURCE_DIR=${RILL_SOURCE_DIR})
  run(${CMAKE_COMMAND} --build ${dir})
  run(${dir}/consumer)
  message(STATUS "${mode}: ok")
endforeach()

find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig:${prefix}/lib64/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs rill OUTPUT_VARIABLE flags
                  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config does not know rill")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${CXX} ${RILL_SOURCE_DIR}/tests/package/consumer/main.cpp -o ${WORK_DIR}/pc_consumer ${flags})
  run(${WORK_DIR}/pc_consumer)
  message(STATUS "pkg-config: ok")
else()
  message(FATAL_ERROR "pkg-config not found")
endif()

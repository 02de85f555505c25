# Debian's ClangTargets.cmake names gRPC::grpc++ and protobuf::libprotobuf (clangd's remote index) as
# link dependencies of clangDaemon. ErrorShield never links those libraries into the plugin, but CMake
# refuses to generate while the targets are undefined. Point them at the runtime libraries that
# clangd-22 already pulled in, so the custom clangd (tools/) can link the same way Debian's does.
foreach(tgt IN ITEMS gRPC::grpc++ protobuf::libprotobuf)
  if(TARGET ${tgt})
    continue()
  endif()
  add_library(${tgt} SHARED IMPORTED)
endforeach()

find_library(ES_GRPCXX NAMES libgrpc++.so.1.51 grpc++)
find_library(ES_GRPC NAMES libgrpc.so.29 grpc)
find_library(ES_GPR NAMES libgpr.so.29 gpr)
find_library(ES_ABSL_SYNC NAMES libabsl_synchronization.so.20220623 absl_synchronization)
find_library(ES_PROTOBUF NAMES libprotobuf.so.32 protobuf)

if(ES_GRPCXX AND ES_PROTOBUF)
  set_target_properties(gRPC::grpc++ PROPERTIES
    IMPORTED_LOCATION ${ES_GRPCXX}
    INTERFACE_LINK_LIBRARIES "${ES_GRPC};${ES_GPR};${ES_ABSL_SYNC}")
  set_target_properties(protobuf::libprotobuf PROPERTIES IMPORTED_LOCATION ${ES_PROTOBUF})
else()
  # Only the custom clangd needs these at link time; the plugin and the tests do not.
  message(STATUS "ErrorShield: gRPC/protobuf runtime not found; clangd remote-index targets left empty")
  set_target_properties(gRPC::grpc++ protobuf::libprotobuf PROPERTIES
    IMPORTED_LOCATION /nonexistent/lib-not-needed-by-the-plugin.so)
endif()

// clang-tidy's ClangTidyForceLinker.h includes this build-configuration header, which Debian's
// libclang-22-dev does not ship. The values match Debian's clang-tidy-22: the static analyzer is
// built in; query-based custom checks are left out (they need clang-query's libraries).
#ifndef ERRORSHIELD_CLANG_TIDY_CONFIG_H
#define ERRORSHIELD_CLANG_TIDY_CONFIG_H
#define CLANG_TIDY_ENABLE_STATIC_ANALYZER 1
#define CLANG_TIDY_ENABLE_QUERY_BASED_CUSTOM_CHECKS 0
#endif

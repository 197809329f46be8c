// The declaration in include/CLibFuzzer.h is the whole module: libFuzzer's runtime
// (libclang_rt.fuzzer_no_main, linked by scripts/nghttp2-safety) defines the function.
#include "CLibFuzzer.h"

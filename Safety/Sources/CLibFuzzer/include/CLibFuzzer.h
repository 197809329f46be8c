#ifndef TENDER_CLIBFUZZER_H
#define TENDER_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver as a library call (LLVM >= 11). The fuzzer links
// libclang_rt.fuzzer_no_main, so it keeps its own main and hands control to libFuzzer
// with this: swiftc's -sanitize=fuzzer would instead link libFuzzer's main into every
// executable of the build (see docs/SAFETY.md).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

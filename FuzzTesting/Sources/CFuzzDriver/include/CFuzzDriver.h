#ifndef ACCORD_CFUZZDRIVER_H
#define ACCORD_CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver entry (compiler-rt FuzzerInterface.h). The fuzz targets call it from
// their own entry point, because SwiftPM links an executable's entry point as main, which
// would otherwise leave libFuzzer's main out (docs/testing.md, "Fuzzing").
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

import CLibFuzzer
import Foundation

// libFuzzer over the libnghttp2 engine's connection handler: every input is a control byte
// (how to feed the rest, see ``FuzzInput``) and the bytes a client sends. Arguments are
// libFuzzer's: `nghttp2-safety-fuzz -max_total_time=60 CORPUS_DIR SEED_DIR`.

var argc = CommandLine.argc
// libFuzzer takes argc and argv by address, as main gets them, and may rewrite them.
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    ConnectionFuzzer.run(UnsafeBufferPointer(start: data, count: size))
    return 0
})

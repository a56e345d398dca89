// llama.cpp's abort (a GGML_ASSERT) first runs gdb, else lldb, on its own process to print a backtrace, and waits for
// it however long it takes: here gdb added about a second to a crashing test load on a quiet machine, and on a Mac lldb
// may ask for developer-tools access. Quire reads the assertion from stderr, printed before that backtrace.

/** Before node-llama-cpp loads in this process: an abort ends it at once, without running a debugger first. */
export function withoutDebuggerBacktrace(): void {
  process.env.GGML_NO_BACKTRACE ??= '1';
}

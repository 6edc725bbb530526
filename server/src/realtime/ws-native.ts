import { createRequire } from 'node:module';

/**
 * How ws unmasks what clients send (every client frame is masked): with bufferutil, a native module (about
 * fifteen times faster on a message's 150 bytes here), or with its own JavaScript loop. ws chooses by itself,
 * silently, by trying to load bufferutil unless WS_NO_BUFFER_UTIL is set; this makes the same choice, so that
 * the log says which path the server runs. (ws validates UTF-8 with Node's own `buffer.isUtf8` on every
 * version Parley supports, so utf-8-validate would never be loaded.)
 */
export function wsUnmasking(
  env: NodeJS.ProcessEnv = process.env,
  load: (id: string) => unknown = createRequire(import.meta.url),
): 'bufferutil' | 'javascript' {
  if (env.WS_NO_BUFFER_UTIL) return 'javascript';
  try {
    const bufferUtil = load('bufferutil') as { unmask?: unknown };
    return typeof bufferUtil.unmask === 'function' ? 'bufferutil' : 'javascript';
  } catch {
    return 'javascript';
  }
}

/**
 * TensorFlow.js backend loader. Prefers tfjs-node (native, multi-threaded) when it is installed;
 * it is only an optional dependency because its install downloads libtensorflow, which this
 * environment cannot do. Otherwise: @tensorflow/tfjs with the wasm backend (single thread here),
 * loading the .wasm binaries from node_modules so nothing is fetched; last resort the pure-JS cpu
 * backend (5–10× slower). The same training code runs on all three.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Tf = typeof import('@tensorflow/tfjs');

let loaded: Promise<{ tf: Tf; backend: string }> | undefined;

export function loadTf(log: (msg: string) => void = (m) => console.error(m)): Promise<{ tf: Tf; backend: string }> {
  loaded ??= (async () => {
    try {
      // Non-literal specifier: tsc must not require the optional package's types to exist.
      const nodeName = '@tensorflow/tfjs-node';
      const tfn = (await import(nodeName)) as Tf;
      await tfn.ready();
      log(`tfjs backend: ${tfn.getBackend()} (tfjs-node)`);
      return { tf: tfn, backend: 'tensorflow' };
    } catch {
      // not installed (expected here): fall through to wasm
    }
    const tf = await import('@tensorflow/tfjs');
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      // Local files only; a path prefix (not a URL) is what the Node build of the loader reads.
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': join(distDir, 'tfjs-backend-wasm.wasm'),
        'tfjs-backend-wasm-simd.wasm': join(distDir, 'tfjs-backend-wasm-simd.wasm'),
        'tfjs-backend-wasm-threaded-simd.wasm': join(distDir, 'tfjs-backend-wasm-threaded-simd.wasm'),
      });
      void pathToFileURL;
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        log('tfjs backend: wasm');
        return { tf, backend: 'wasm' };
      }
    } catch (err) {
      log(`tfjs wasm backend failed (${(err as Error).message}); falling back to cpu`);
    }
    await tf.setBackend('cpu');
    await tf.ready();
    log('tfjs backend: cpu (slow)');
    return { tf, backend: 'cpu' };
  })();
  return loaded;
}

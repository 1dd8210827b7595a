// The page's wasm: the library compiled for speed (pkg/mxdag_speed_bg.wasm, scripts/build),
// which opens a 100,000-event file in about 4.8 s here against 6.1 s for the build sized for
// downloads (benches/browser/load-file.mjs, 2026-12-06). `mxdag serve` hands the page out
// from this machine, so the speed build's extra 105 KB gzipped cost nothing; where it is
// missing (a copy of www/ served beside mxdag_bg.wasm alone) or cannot compile (a browser
// without wasm SIMD, which the speed build uses), the download-sized build.
import init from "/pkg/mxdag.js";

const SPEED = "/pkg/mxdag_speed_bg.wasm";

/** Instantiates the wasm for this thread (each worker has its own); resolves to its exports. */
export async function loadWasm() {
  const speed = await fetch(SPEED).catch(() => null);
  if (speed?.ok) {
    try {
      return await init({ module_or_path: speed });
    } catch {
      // Fetched but not compiled: the download-sized build below.
    }
  }
  return init();
}

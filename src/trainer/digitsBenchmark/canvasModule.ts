import type * as CanvasModule from '@napi-rs/canvas';
import { ensureNpmPackage, requireFound, type FoundPackage } from '../data/npmPackage';

export type Canvas = typeof CanvasModule;

const CANVAS_PACKAGE = { name: '@napi-rs/canvas', version: '1.1.1' };

/** @napi-rs/canvas (Skia, prebuilt for Linux, macOS and Windows): renders the font digits. */
export async function loadCanvas(cacheFolder: string, onInstall?: (message: string) => void): Promise<{ canvas: Canvas; found: FoundPackage }> {
  const found = await ensureNpmPackage(CANVAS_PACKAGE, cacheFolder, onInstall);
  return { canvas: requireFound<Canvas>(found), found };
}

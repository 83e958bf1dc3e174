/**
 * Decoded images kept in memory up to a byte budget, so every epoch after the first skips the
 * decoder. Images are kept as bytes (a quarter of float32) before augmentation, which is drawn
 * anew each epoch. When the dataset does not fit, the first images to arrive stay and the rest
 * are decoded each time: with shuffled access, evicting would only trade one miss for another.
 */
export class DecodedCache {
  private readonly images = new Map<string, Uint8Array>();
  private usedBytes = 0;

  constructor(readonly budgetBytes: number) {}

  get(key: string): Uint8Array | undefined {
    return this.images.get(key);
  }

  /** Keeps the image if it fits the budget; says whether it did. */
  put(key: string, pixels: Uint8Array): boolean {
    if (this.images.has(key)) return true;
    if (this.usedBytes + pixels.byteLength > this.budgetBytes) return false;
    this.images.set(key, pixels);
    this.usedBytes += pixels.byteLength;
    return true;
  }

  get bytes(): number {
    return this.usedBytes;
  }

  get size(): number {
    return this.images.size;
  }
}

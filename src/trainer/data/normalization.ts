/**
 * How pixel bytes become model inputs: x = (byte / 255 - mean[c]) / std[c].
 * unit: [0, 1]; symmetric: [-1, 1]; imagenet: the ImageNet statistics pretrained torchvision
 * models expect (their channel average for one-channel input).
 */
export type NormalizationSpec = 'unit' | 'symmetric' | 'imagenet' | { mean: readonly number[]; std: readonly number[] };

/** Per channel: input = byte * scale[c] + offset[c]. */
export interface Normalization {
  scale: Float32Array;
  offset: Float32Array;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

function statistics(spec: NormalizationSpec, channels: 1 | 3): { mean: readonly number[]; std: readonly number[] } {
  if (spec === 'unit') return { mean: [0], std: [1] };
  if (spec === 'symmetric') return { mean: [0.5], std: [0.5] };
  if (spec === 'imagenet') {
    if (channels === 3) return IMAGENET;
    const average = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    return { mean: [average(IMAGENET.mean)], std: [average(IMAGENET.std)] };
  }
  return spec;
}

export function normalization(spec: NormalizationSpec, channels: 1 | 3): Normalization {
  const { mean, std } = statistics(spec, channels);
  if ((mean.length !== 1 && mean.length !== channels) || mean.length !== std.length) {
    throw new Error(`normalize: mean and std need 1 or ${channels} values each, got ${mean.length} and ${std.length}.`);
  }
  const scale = new Float32Array(channels);
  const offset = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = mean.length === 1 ? mean[0] : mean[c];
    const s = std.length === 1 ? std[0] : std[c];
    if (!(s > 0)) throw new Error(`normalize: std must be positive, got ${s}.`);
    scale[c] = 1 / (255 * s);
    offset[c] = -m / s;
  }
  return { scale, offset };
}

import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Cuts a chain of layers (each feeding the next) after the layer named `adaptAt`: the trunk runs
 * the chain from `input` up to and including it, the head the rest, from a [batch, n] input of its
 * own. Each layer belongs to exactly one of the two, so their weights never overlap.
 */
export function splitChain(
  input: tfl.SymbolicTensor,
  layers: readonly tfl.layers.Layer[],
  adaptAt: string,
  name: string,
): { trunk: tfl.LayersModel; head: tfl.LayersModel; adaptAt: string; adaptationSize: number } {
  const cut = layers.findIndex((layer) => layer.name === adaptAt);
  if (cut < 0 || cut === layers.length - 1) throw new Error(`${name} cannot be cut at "${adaptAt}"`);
  let x = input;
  for (const layer of layers.slice(0, cut + 1)) x = layer.apply(x) as tfl.SymbolicTensor;
  if (x.shape.length !== 2) throw new Error(`${name}: "${adaptAt}" gives [${x.shape.join(', ')}]; adaptation features are [batch, features]`);
  const trunk = tfl.model({ inputs: input, outputs: x, name: `${name}_trunk` });
  const adaptationSize = x.shape[1] as number;
  const headInput = tfl.input({ shape: [adaptationSize], name: 'adaptation_features' });
  let y = headInput;
  for (const layer of layers.slice(cut + 1)) y = layer.apply(y) as tfl.SymbolicTensor;
  return { trunk, head: tfl.model({ inputs: headInput, outputs: y, name: `${name}_head` }), adaptAt, adaptationSize };
}

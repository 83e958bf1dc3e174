import type * as tfl from '@tensorflow/tfjs-layers';

type Symbolic = tfl.SymbolicTensor;

/** A layer as it was applied in the net it came from: what it read and what it gave. */
export interface AppliedLayer {
  layer: tfl.layers.Layer;
  inputs: Symbolic[];
  output: Symbolic;
}

/** The layers of a model after `from` (all of them when undefined), as first applied there, in the order they run. */
export function appliedAfter(model: tfl.LayersModel, from: string | undefined): AppliedLayer[] {
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const start = from === undefined ? 0 : layers.findIndex((layer) => layer.name === from) + 1;
  return layers.slice(start).map((layer) => ({ layer, inputs: layer.inboundNodes[0].inputTensors, output: layer.inboundNodes[0].outputTensors[0] }));
}

/**
 * Applies `steps` (a part of some graph that reads only `from`) to `to` instead, each layer as
 * `layerFor` gives it (the layer itself, whose weights are then shared, or a copy); returns what
 * became of `result`.
 */
export function reapply(
  steps: readonly AppliedLayer[],
  from: Symbolic,
  to: Symbolic,
  result: Symbolic,
  layerFor: (layer: tfl.layers.Layer) => tfl.layers.Layer,
): Symbolic {
  const mapped = new Map<number, Symbolic>([[from.id, to]]);
  for (const { layer, inputs, output } of steps) {
    const args = inputs.map((input) => {
      const source = mapped.get(input.id);
      if (!source) throw new Error(`cannot branch: ${layer.name} reads ${input.name}, computed before the branch point`);
      return source;
    });
    mapped.set(output.id, layerFor(layer).apply(args.length === 1 ? args[0] : args) as Symbolic);
  }
  const end = mapped.get(result.id);
  if (!end) throw new Error(`cannot branch: ${result.name} does not follow from the branch point`);
  return end;
}

/** The layers of `model` applied to `input` one by one, as if pasted into the graph `input` belongs to (no nested model). */
export function applyLayersOf(model: tfl.LayersModel, input: Symbolic): Symbolic {
  return reapply(appliedAfter(model, undefined), model.inputs[0], input, model.outputs[0], (layer) => layer);
}

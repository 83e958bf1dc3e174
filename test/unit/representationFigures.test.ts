import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// A used import: the package marks its node entry side-effect free, which would drop the backend.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { SeededRandom } from '../../src/trainer/data/seededRandom';
import { pca2, umap2, type FeatureRows } from '../../src/trainer/checkpointDiff/embedding';
import { centredGram, linearCka } from '../../src/trainer/checkpointDiff/layerSimilarity';
import { proxyADistance } from '../../src/trainer/checkpointDiff/proxyADistance';
import { assertClose } from './numericChecks';

// The representation figures of the checkpoint diff against what their definitions say they are:
// CKA is invariant to rotation and isotropic scale and near 0 for unrelated features; the proxy
// A-distance is near 0 for one distribution and near 2 for separable ones; embeddings are fixed
// by their seed.

before(async () => {
  assert.ok(version_cpu);
  await tf.setBackend('cpu');
});

/** n rows of d features, each drawn by `value`. */
function rows(n: number, d: number, value: (random: SeededRandom, row: number, column: number) => number, seed = 1): FeatureRows {
  const random = new SeededRandom(seed);
  const values = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] = value(random, i, j);
  return { values, n, d };
}

const gaussian = (random: SeededRandom): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());

function cka(x: FeatureRows, y: FeatureRows): number {
  const gram = ({ values, n, d }: FeatureRows) => {
    const tensor = tf.tensor2d(values, [n, d]);
    try {
      return centredGram(tensor);
    } finally {
      tensor.dispose();
    }
  };
  return linearCka(gram(x), gram(y));
}

/** x times a random orthogonal d × d matrix (QR of a Gaussian one), times `scale`. */
function rotated(x: FeatureRows, scale: number): FeatureRows {
  const random = new SeededRandom(7);
  const q = tf.tidy(
    () =>
      tf.linalg.qr(
        tf.tensor2d(
          Array.from({ length: x.d * x.d }, () => gaussian(random)),
          [x.d, x.d],
        ),
      )[0],
  );
  const values = tf.tidy(() => tf.mul(tf.matMul(tf.tensor2d(x.values, [x.n, x.d]), q), scale).dataSync() as Float32Array);
  q.dispose();
  return { values, n: x.n, d: x.d };
}

describe('linear CKA', () => {
  const features = rows(200, 12, (random) => gaussian(random));

  it('is 1 for a layer against itself, and against a rotated and rescaled copy of it', () => {
    assertClose(cka(features, features), 1, { absolute: 1e-6 }, 'CKA with itself');
    assertClose(cka(features, rotated(features, 3.5)), 1, { absolute: 1e-4 }, 'CKA with a rotated copy');
  });

  it('is near 0 between independent noise', () => {
    const noise = rows(500, 12, (random) => gaussian(random), 99);
    const other = rows(500, 12, (random) => gaussian(random), 100);
    const value = cka(noise, other);
    assert.ok(value < 0.05, `CKA of independent noise ${value}`);
  });

  it('ignores a shift of the features (they are centred) and is the hand-worked value on a small case', () => {
    // X = [1, 2, 3, 4]ᵀ, Y = [1, 1, 2, 2]ᵀ shifted by 10: centred x = (−1.5, −.5, .5, 1.5), y = (−.5, −.5, .5, .5).
    // ⟨xxᵀ, yyᵀ⟩ = (xᵀy)² = 4, ‖xxᵀ‖ = xᵀx = 5, ‖yyᵀ‖ = yᵀy = 1: CKA = 4 / 5.
    const x = { values: Float32Array.from([1, 2, 3, 4]), n: 4, d: 1 };
    const y = { values: Float32Array.from([11, 11, 12, 12]), n: 4, d: 1 };
    assertClose(cka(x, y), 0.8, { absolute: 1e-6 });
  });

  it('is 0, not NaN, for a layer that is constant over the images', () => {
    assert.equal(
      cka(
        features,
        rows(200, 3, () => 2),
      ),
      0,
    );
  });
});

describe('proxy A-distance', () => {
  it('is near 0 for two samples of one distribution, whatever the seed', () => {
    for (const seed of [0, 1, 2]) {
      const a = rows(300, 20, (random) => gaussian(random), 10 + seed);
      const b = rows(300, 20, (random) => gaussian(random), 20 + seed);
      const { aDistance, error, trainImages, testImages } = proxyADistance(a, b, seed, 't');
      assert.ok(aDistance < 0.4, `seed ${seed}: A-distance ${aDistance} (ε ${error})`);
      assert.deepEqual([trainImages, testImages], [150, 150]);
    }
  });

  it('is near 2 for separable samples', () => {
    const a = rows(200, 20, (random) => gaussian(random), 3);
    const b = rows(200, 20, (random, _, column) => gaussian(random) + (column === 0 ? 6 : 0), 4);
    const { aDistance, error } = proxyADistance(a, b, 0, 't');
    assert.ok(aDistance > 1.9, `A-distance ${aDistance} (ε ${error})`);
  });

  it('grows with the shift between the domains and is the same for the same seed', () => {
    const a = rows(300, 10, (random) => gaussian(random), 5);
    const shifted = (by: number) => rows(300, 10, (random, _, column) => gaussian(random) + (column < 2 ? by : 0), 6);
    const distances = [0.25, 1, 2].map((by) => proxyADistance(a, shifted(by), 0, 't').aDistance);
    assert.ok(distances[0] < distances[1] && distances[1] < distances[2], `A-distances ${distances.join(', ')}`);
    assert.deepEqual(proxyADistance(a, shifted(1), 0, 't'), proxyADistance(a, shifted(1), 0, 't'));
  });

  it('refuses samples too small to split, and features of different lengths', () => {
    assert.throws(
      () =>
        proxyADistance(
          rows(3, 2, () => 0),
          rows(10, 2, () => 1),
          0,
          't',
        ),
      /3 images per domain/,
    );
    assert.throws(
      () =>
        proxyADistance(
          rows(10, 2, () => 0),
          rows(10, 3, () => 1),
          0,
          't',
        ),
      /2 source features against 3/,
    );
  });
});

describe('2-D embeddings', () => {
  it('PCA finds the axes of a hand-made cloud and their share of the variance', () => {
    // Four points on the x axis at ±2 and four on the y axis at ±1, in 3-D: variances 2 and 0.5 of 2.5.
    const points = [
      [2, 0, 0],
      [-2, 0, 0],
      [2, 0, 0],
      [-2, 0, 0],
      [0, 1, 0],
      [0, -1, 0],
      [0, 1, 0],
      [0, -1, 0],
    ];
    const embedding = pca2({ values: Float32Array.from(points.flat()), n: 8, d: 3 }, 0);
    assertClose(embedding.explainedVariance![0], 0.8, { absolute: 1e-6 });
    assertClose(embedding.explainedVariance![1], 0.2, { absolute: 1e-6 });
    // Signed so that each axis's largest entry is positive: x maps to x, y to y.
    assert.deepEqual(
      embedding.x.map((value) => Math.round(value * 1e6) / 1e6 || 0),
      [2, -2, 2, -2, 0, 0, 0, 0],
    );
    assert.deepEqual(
      embedding.y.map((value) => Math.round(value * 1e6) / 1e6 || 0),
      [0, 0, 0, 0, 1, -1, 1, -1],
    );
  });

  it('PCA and UMAP give the same points for the same seed; UMAP moves with another seed', () => {
    const features = rows(120, 16, (random, row) => gaussian(random) + (row % 3) * 4);
    assert.deepEqual(pca2(features, 3), pca2(features, 3));
    // Power iteration converges to the same axes from any seeded start.
    assertClose(pca2(features, 4).x, pca2(features, 3).x, { absolute: 1e-3 }, 'PCA x from another start');
    const first = umap2(features, 3);
    assert.deepEqual(umap2(features, 3), first);
    assert.equal(first.x.length, 120);
    assert.ok(first.x.every(Number.isFinite) && first.y.every(Number.isFinite));
    assert.notDeepEqual(umap2(features, 4).x, first.x);
  });

  it('UMAP keeps well-separated clusters apart', () => {
    const features = rows(90, 8, (random, row) => gaussian(random) * 0.1 + (row % 3) * 10);
    const { x, y } = umap2(features, 0);
    const centre = (cluster: number) => {
      const members = x.flatMap((_, i) => (i % 3 === cluster ? [i] : []));
      return [members.reduce((sum, i) => sum + x[i], 0) / members.length, members.reduce((sum, i) => sum + y[i], 0) / members.length];
    };
    const spread = (cluster: number) => {
      const [cx, cy] = centre(cluster);
      return Math.max(...x.flatMap((_, i) => (i % 3 === cluster ? [Math.hypot(x[i] - cx, y[i] - cy)] : [])));
    };
    const [a, b] = [centre(0), centre(1)];
    assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) > spread(0) + spread(1), 'clusters 0 and 1 overlap in the embedding');
  });
});

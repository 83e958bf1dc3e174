import { pickBalanced } from './classBalance';
import type { DigitsSizes, DomainPlan } from './digitsDomain';
import { digitOf, mnistSource, type Mnist } from './mnistSource';

/**
 * MNIST itself: both splits drawn (balanced over classes, disjoint) from MNIST's 60,000 training
 * digits, so that no digit of this domain reappears in mnist-photo, which is built from MNIST's
 * test digits.
 */
export function mnistDomain(mnist: Mnist, sizes: DigitsSizes, seed: number): DomainPlan {
  const { train: part } = mnist;
  const [train, test] = pickBalanced(part.labels, [sizes.train, sizes.test], seed, 'mnist');
  const chosen = { train, test };
  return {
    name: 'mnist',
    description: 'MNIST handwritten digits, 28x28 gray, as published.',
    standsInFor: 'MNIST (LeCun et al. 1998): these are MNIST images.',
    recipe: 'A class-balanced, seeded subset of the MNIST training set; train and test are disjoint.',
    imageSize: 28,
    channels: 1,
    counts: { train: train.length, test: test.length },
    sources: [mnistSource(mnist, ['data/train-images-idx3-ubyte', 'data/train-labels-idx1-ubyte'])],
    image: (split, index) => {
      const source = chosen[split][index];
      return { label: part.labels[source], pixels: digitOf(part, source), width: 28, height: 28, channels: 1 };
    },
  };
}

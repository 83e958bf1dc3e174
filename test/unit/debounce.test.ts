import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedDebouncer } from '../../src/util/debounce';

describe('KeyedDebouncer', () => {
  it('fires once per key after a burst goes quiet', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const fired: string[] = [];
      const debouncer = new KeyedDebouncer<string>(400, (key) => fired.push(key));
      for (let i = 0; i < 10_000; i++) {
        mock.timers.tick(1);
        debouncer.trigger('a');
      }
      debouncer.trigger('b');
      assert.deepEqual(fired, [], 'nothing fires while changes keep coming');
      mock.timers.tick(399);
      assert.deepEqual(fired, []);
      mock.timers.tick(1);
      assert.deepEqual(fired.sort(), ['a', 'b']);
      mock.timers.tick(5_000);
      assert.equal(fired.length, 2, 'no second call without a new trigger');
    } finally {
      mock.timers.reset();
    }
  });

  it('with a longest wait, fires at least that often during a burst that never goes quiet, and once after it', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const fired: number[] = [];
      let now = 0;
      const debouncer = new KeyedDebouncer<string>(250, () => fired.push(now), 1_000);
      // A step event every 100 ms for 3.5 s: never 250 ms of quiet.
      while (now < 3_500) {
        debouncer.trigger('run');
        now += 100;
        mock.timers.tick(100);
      }
      assert.deepEqual(fired, [1_000, 2_000, 3_000], 'once a second while the burst lasts');
      mock.timers.tick(250);
      assert.equal(fired.length, 4, 'and once when it goes quiet');
      mock.timers.tick(5_000);
      assert.equal(fired.length, 4, 'no call without a new trigger');
    } finally {
      mock.timers.reset();
    }
  });

  it('fires nothing after dispose', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let calls = 0;
      const debouncer = new KeyedDebouncer<string>(10, () => calls++);
      debouncer.trigger('a');
      debouncer.dispose();
      mock.timers.tick(100);
      assert.equal(calls, 0);
    } finally {
      mock.timers.reset();
    }
  });
});

import { describe, expect, it } from 'vitest';

import { TrafficMeter } from '../../../src/gateway/traffic-meter.js';

describe('TrafficMeter', () => {
  it('sums the open sources of each front door, reading them when asked', () => {
    const meter = new TrafficMeter();
    const first = { in: 10, out: 20 };
    meter.add('stdio', () => first);
    meter.add('http', () => ({ in: 1, out: 2 }));
    meter.add('http', () => ({ in: 3, out: 4 }));
    first.in = 15;
    expect(meter.totals()).toEqual(
      expect.arrayContaining([
        { frontDoor: 'stdio', in: 15, out: 20 },
        { frontDoor: 'http', in: 4, out: 6 },
      ]),
    );
  });

  it('keeps what a removed source counted, so the totals never go down', () => {
    const meter = new TrafficMeter();
    const counts = { in: 100, out: 200 };
    const remove = meter.add('http', () => counts);
    meter.add('http', () => ({ in: 1, out: 1 }));
    remove();
    // Read no more once removed.
    counts.in = 0;
    remove();
    expect(meter.totals()).toEqual([{ frontDoor: 'http', in: 101, out: 201 }]);
  });

  it('has nothing to say before any front door opened', () => {
    expect(new TrafficMeter().totals()).toEqual([]);
  });
});

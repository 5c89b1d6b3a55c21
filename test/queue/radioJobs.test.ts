import { describe, expect, it } from 'vitest';
import { nextSection, startRadio } from '../../src/core/radioPlan.ts';
import { packSection, RadioJobSchema, sectionJobId, sectionKey, unpackSection, type RadioJob } from '../../src/queue/radioJobs.ts';

describe('radio jobs', () => {
  it('the worker stores a section under the key the bot polls: the parsed job (zod orders keys its own way) hashes as the bot\'s', () => {
    let state = startRadio({ style: 'lofi', mood: 'calm', seed: 3, sectionSec: 15 });
    const specs = [];
    for (let i = 0; i < 12; i++) {
      const r = nextSection(state);
      specs.push(r.spec);
      state = r.state;
    }
    // Some specs prepare a key change (nextKey is set after the rest of the spec).
    expect(specs.some((s) => s.nextKey)).toBe(true);
    for (let i = 1; i < specs.length; i++) {
      for (const previousBars of [undefined, 3]) {
        const job: RadioJob = { runId: 'run1', guildId: 'g', spec: specs[i]!, previous: specs[i - 1]!, ...(previousBars ? { previousBars } : {}) };
        const parsed = RadioJobSchema.parse(JSON.parse(JSON.stringify(job)));
        expect(sectionKey(parsed)).toBe(sectionKey(job));
        expect(sectionJobId(parsed)).toBe(sectionJobId(job));
      }
    }
    // A cut previous section is another render.
    const job: RadioJob = { runId: 'run1', guildId: 'g', spec: specs[2]!, previous: specs[1]! };
    expect(sectionKey({ ...job, previousBars: 4 })).not.toBe(sectionKey(job));
  });

  it('packs and unpacks main and hold packets', () => {
    const main = [Buffer.from('a'), Buffer.from('bc')];
    const hold = [Buffer.from('d')];
    const back = unpackSection(packSection({ main, hold }));
    expect(back.main.map(String)).toEqual(['a', 'bc']);
    expect(back.hold.map(String)).toEqual(['d']);
  });
});

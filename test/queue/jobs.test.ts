import { describe, expect, it } from 'vitest';
import { RenderSpecSchema } from '../../src/queue/jobs.ts';

describe('a job’s render settings', () => {
  it('take a SoundFont name the renderer knows or a path, and nothing else', () => {
    for (const soundfont of ['fluidr3', 'timgm6mb', 'musescore', '/fonts/Any.sf2', 'my.sf3', undefined]) {
      expect(RenderSpecSchema.safeParse({ format: 'ogg', soundfont }).success, String(soundfont)).toBe(true);
    }
    const refused = RenderSpecSchema.safeParse({ format: 'ogg', soundfont: 'fluidr' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/"fluidr" is not a SoundFont I know\. Did you mean "fluidr3"\?/);
  });
});

/**
 * Radio sections rendered for real (fluidsynth, ffmpeg's libopus), their packets played back to
 * back through one decoder as a listener's would be: the joins must not step more than the music
 * does, nor drop 20 dB; the same for a section's hold looped and then the next section.
 */
import { describe, expect, it } from 'vitest';
import { nextSection, startRadio, type SectionSpec } from '../../src/core/radioPlan.ts';
import { composeSection, planSectionRender } from '../../src/core/radioSection.ts';
import type { Score } from '../../src/core/score.ts';
import { renderSection, type SectionAudio } from '../../src/render/radioRender.ts';
import { decodeOpus } from '../support/fake-discord.ts';
import { measureJoin, worstFrameDrop } from '../support/radioJoins.ts';

describe('radio section render', () => {
  const rendered: { spec: SectionSpec; audio: SectionAudio }[] = [];

  it('renders three sections that join seamlessly', async () => {
    let state = startRadio({ style: 'jazz', mood: 'happy', seed: 3, sectionSec: 15 });
    let previous: { spec: SectionSpec; score: Score } | null = null;
    for (let i = 0; i < 3; i++) {
      const { spec, state: next } = nextSection(state, i === 2 ? 'darker' : null);
      state = next;
      const score = await composeSection(spec);
      const audio = await renderSection(planSectionRender(spec, score, previous));
      expect(audio.main).toHaveLength(spec.lengthSamples / 960);
      expect(audio.hold.length).toBeGreaterThan(0);
      rendered.push({ spec, audio });
      previous = { spec, score };
    }
    const { pcm } = decodeOpus(rendered.flatMap((r) => r.audio.main));
    let at = 0;
    for (const r of rendered.slice(0, -1)) {
      at += r.audio.main.length * 960;
      const join = measureJoin(pcm, at);
      expect(join.jump, JSON.stringify(join)).toBeLessThanOrEqual(join.ownMax);
      expect(join.levelDb, JSON.stringify(join)).toBeGreaterThan(-20);
    }
    expect(worstFrameDrop(pcm, 5).dropDb).toBeGreaterThan(-20);
  }, 120_000);

  it('holds a late section by repeating the hold bar, then joins the next', () => {
    const [a, b] = rendered;
    const packets = [...a!.audio.main, ...a!.audio.hold, ...a!.audio.hold, ...b!.audio.main];
    const { pcm } = decodeOpus(packets);
    for (const at of [a!.audio.main.length, a!.audio.main.length + a!.audio.hold.length, a!.audio.main.length + 2 * a!.audio.hold.length].map((p) => p * 960)) {
      const join = measureJoin(pcm, at);
      expect(join.levelDb, JSON.stringify(join)).toBeGreaterThan(-20);
    }
    expect(worstFrameDrop(pcm, 5).dropDb).toBeGreaterThan(-20);
  });

  it('the join measure catches a gap and a click (it can fail)', () => {
    const { pcm } = decodeOpus(rendered[0]!.audio.main);
    const at = 10 * 48_000;
    const gapped = Int16Array.from(pcm);
    gapped.fill(0, at * 2, (at + 960) * 2);
    expect(measureJoin(gapped, at).levelDb).toBeLessThan(-20);
    const clicked = Int16Array.from(pcm);
    clicked[(at + 200) * 2] = 32000;
    clicked[(at + 201) * 2] = -32000;
    const click = measureJoin(clicked, at);
    expect(click.jump).toBeGreaterThan(click.ownMax);
  });
});

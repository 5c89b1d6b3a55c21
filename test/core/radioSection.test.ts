import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { nextSection, startRadio, type RadioState, type SectionSpec } from '../../src/core/radioPlan.ts';
import { composeSection, planSectionRender, PRE_ROLL_SEC } from '../../src/core/radioSection.ts';
import { CompositionRequestSchema } from '../../src/core/request.ts';
import { ticksPerBar } from '../../src/core/score.ts';
import { parseMeter } from '../../src/core/radioPlan.ts';
import { dominantChord } from '../../src/core/plan/harmony.ts';
import { StyleCatalog } from '../../src/core/catalog/index.ts';
import { DRUM_CHANNEL } from '../../src/core/score.ts';

function specs(n: number, state: RadioState = startRadio({ style: 'lofi', mood: 'calm', seed: 7, sectionSec: 15 })): SectionSpec[] {
  const out: SectionSpec[] = [];
  for (let i = 0; i < n; i++) {
    const r = nextSection(state, null);
    out.push(r.spec);
    state = r.state;
  }
  return out;
}

describe('radio sections', () => {
  const [s0, s1] = specs(2);

  it('continues a theme: part 1 is the next bars of the theme composed longer with the same seed (as Extend does)', async () => {
    expect(s1!.kind).toBe('continue');
    const part1 = await composeSection(s1!);
    const barTicks = ticksPerBar(parseMeter(s1!.meter), part1.ppq);
    expect(part1.endTick).toBe(s1!.bars * barTicks);
    const request = CompositionRequestSchema.parse({ style: s1!.style, mood: s1!.mood, durationSec: (2 * s1!.lengthSamples) / 48_000, tempo: s1!.bpm, key: s1!.key, meter: s1!.meter, instruments: [], energy: s1!.energy, seed: s1!.themeSeed, loop: true, prompt: '' });
    const { score: whole } = await compose(request);
    const lead = whole.tracks.find((t) => t.role === 'lead')!.notes.filter((n) => n.tick >= part1.endTick).map((n) => [n.pitch, n.tick - part1.endTick]);
    expect(part1.tracks.find((t) => t.role === 'lead')!.notes.map((n) => [n.pitch, n.tick])).toEqual(lead);
    // The progression carries on: part 1 opens with the chord the theme has there.
    expect(part1.chords[0]!.symbol).toBe(whole.chords.find((c) => c.startTick <= part1.endTick && c.endTick > part1.endTick)!.symbol);
  });

  it('renders after the previous section: its last bars first (≥ 3 s, from a bar line nothing rings across), then the section, then its hold bar', async () => {
    const a = await composeSection(s0!);
    const b = await composeSection(s1!);
    const plan = planSectionRender(s1!, b, { spec: s0!, score: a });
    expect(plan.joinSample / 48_000).toBeGreaterThanOrEqual(PRE_ROLL_SEC);
    expect(plan.joinSample % 960).toBe(0);
    expect(plan.sectionSamples).toBe(s1!.lengthSamples);
    expect(plan.holdSamples).toBe(ticksPerBar(parseMeter(s1!.meter), b.ppq) * 2 * s1!.beatUnits);
    // The previous section's notes and this one's are on different channels (drums apart).
    const prevChannels = new Set(plan.score.tracks.filter((t) => t.notes[0]!.tick < plan.joinSample / (2 * s1!.beatUnits) && t.role !== 'drums').map((t) => t.channel));
    const ownChannels = new Set(plan.score.tracks.filter((t) => t.notes.some((n) => n.tick >= plan.joinSample / (2 * s1!.beatUnits)) && t.role !== 'drums').map((t) => t.channel));
    for (const c of prevChannels) expect(ownChannels.has(c)).toBe(false);
    // The hold is the section's last bar again.
    const barTicks = ticksPerBar(parseMeter(s1!.meter), b.ppq);
    const joinTick = plan.joinSample / (2 * s1!.beatUnits);
    const lead = plan.score.tracks.find((t) => t.role === 'lead' && t.channel >= 10)!;
    const lastBar = lead.notes.filter((n) => n.tick >= joinTick + b.endTick - barTicks && n.tick < joinTick + b.endTick).map((n) => [n.pitch, n.tick - (joinTick + b.endTick - barTicks)]);
    const hold = lead.notes.filter((n) => n.tick >= joinTick + b.endTick).map((n) => [n.pitch, n.tick - (joinTick + b.endTick)]);
    expect(hold).toEqual(lastBar);
    expect(plan.tempos).toEqual([{ tick: 0, bpm: s0!.bpm }]);
  });

  it('the first section renders from nothing', async () => {
    const plan = planSectionRender(s0!, await composeSection(s0!), null);
    expect(plan.joinSample).toBe(0);
    expect(plan.tempos).toEqual([{ tick: 0, bpm: s0!.bpm }]);
  });

  it('prepares a planned key change: the section before it ends on the new key\'s dominant', async () => {
    const all = specs(40, startRadio({ style: 'lofi', mood: 'calm', seed: 42, sectionSec: 15 }));
    const sameKey = (a: SectionSpec['key'], b: SectionSpec['key']) => a.tonic === b.tonic && a.mode === b.mode;
    const pairs = all.slice(0, -1).map((a, i) => [a, all[i + 1]!] as const);
    const changes = pairs.filter(([a, b]) => !sameKey(a.key, b.key));
    expect(changes.length).toBeGreaterThanOrEqual(2);
    for (const [a, b] of pairs) expect(a.nextKey, `section ${a.index}`).toEqual(sameKey(a.key, b.key) ? undefined : b.key);
    const style = StyleCatalog.style('lofi');
    for (const [a, b] of changes.slice(0, 2)) {
      const score = await composeSection(a);
      const dominant = dominantChord(b.key, style.chordFlavor, style.diatonic);
      const last = score.chords.at(-1)!;
      expect(last.symbol, `section ${a.index} (${a.key.tonic} ${a.key.mode}) → ${b.key.tonic} ${b.key.mode}`).toBe(dominant.symbol);
      expect(last.endTick).toBe(score.endTick);
      // What sounds in that last chord is the dominant: the bass on its root, most pitched onsets its tones.
      const onsets = score.tracks.filter((t) => t.channel !== DRUM_CHANNEL).flatMap((t) => t.notes.filter((n) => n.tick >= last.startTick).map((n) => ({ role: t.role, pc: n.pitch % 12 })));
      const bass = onsets.filter((o) => o.role === 'bass');
      expect(bass.length).toBeGreaterThan(0);
      expect(bass[0]!.pc).toBe(dominant.rootPc);
      expect(onsets.filter((o) => dominant.pcs.includes(o.pc)).length / onsets.length).toBeGreaterThan(0.6);
    }
  });
});

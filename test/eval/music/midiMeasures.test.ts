import { describe, expect, it } from 'vitest';
import { barLineGaps, coveredTicks } from '../../../src/eval/music/barLineGaps.ts';
import { drumKit } from '../../../src/eval/music/drumKit.ts';
import { fourOnTheFloor } from '../../../src/eval/music/fourOnTheFloor.ts';
import { leadAbove, topVoices } from '../../../src/eval/music/leadAbove.ts';
import { polyphony } from '../../../src/eval/music/polyphony.ts';
import { ticksPerBar } from '../../../src/core/score.ts';
import { BAR, note, Q, S16, score, track } from './fixtures.ts';

const bars = (n: number, fn: (start: number) => ReturnType<typeof note>[]) => Array.from({ length: n }, (_, b) => fn(b * BAR)).flat();

describe('fourOnTheFloor', () => {
  it('kicks on all four beats, even humanised by a few ticks, count; kicks on 1 and 3 do not', () => {
    const four = bars(4, (s) => [0, 1, 2, 3].map((b) => note(36, s + b * Q + (b % 2 ? 20 : -10 * (s > 0 ? 1 : 0)), S16)));
    const half = bars(4, (s) => [note(35, s, S16), note(36, s + 2 * Q, S16), note(42, s + Q, S16)]);
    const r = fourOnTheFloor(score({ sections: [['A', 8]], tracks: [track('drums', [...four, ...half.map((n) => ({ ...n, tick: n.tick + 4 * BAR }))])] }));
    expect(r).toEqual({ drumBars: 8, fourOnTheFloorBars: 4, share: 0.5 });
  });
  it('a kick 60 ticks (a 32nd) off the beat still counts; 90 ticks off does not', () => {
    const at = (off: number) => fourOnTheFloor(score({ sections: [['A', 1]], tracks: [track('drums', [0, 1, 2, 3].map((b) => note(36, b * Q + (b === 2 ? off : 0), S16)))] })).share;
    expect(at(60)).toBe(1);
    expect(at(90)).toBe(0);
  });
  it('uses the felt beats of the meter and skips bars without drums; no drums gives null', () => {
    const meter = { numerator: 3, denominator: 4 };
    const b3 = ticksPerBar(meter);
    const kicks = [0, 1, 2].map((b) => note(36, b * Q, S16));
    expect(fourOnTheFloor(score({ meter, sections: [['A', 4]], tracks: [track('drums', [...kicks, ...kicks.map((n) => ({ ...n, tick: n.tick + 3 * b3 }))])] }))).toEqual({ drumBars: 2, fourOnTheFloorBars: 2, share: 1 });
    expect(fourOnTheFloor(score({ sections: [['A', 4]], tracks: [track('lead', [note(60, 0, Q)])] })).share).toBeNull();
  });
});

describe('drumKit', () => {
  it('timpani on a pitched channel and cymbal swells are no kit; a hi-hat or a snare is', () => {
    const timpani = track('bass', [note(41, 0, Q), note(36, Q, Q)], { program: 47, channel: 3 });
    const swell = track('drums', [note(49, 0, 4 * Q), note(57, BAR, 4 * Q)]);
    expect(drumKit(score({ sections: [['A', 2]], tracks: [timpani, swell] }))).toEqual({ kitNotes: 0, otherPercussionNotes: 2, kitKeys: [] });
    const kit = track('drums', [note(42, 0, S16), note(38, Q, S16), note(42, Q, S16)]);
    expect(drumKit(score({ sections: [['A', 2]], tracks: [timpani, kit] }))).toEqual({ kitNotes: 3, otherPercussionNotes: 0, kitKeys: [38, 42] });
  });
});

describe('barLineGaps', () => {
  it('chords held to the bar line leave no gap', () => {
    const held = bars(4, (s) => [note(60, s, BAR), note(64, s, BAR)]);
    expect(barLineGaps(score({ sections: [['A', 4]], tracks: [track('harmony', held)] }))).toMatchObject({ barLines: 4, gaps: 0, share: 0 });
  });
  it('chords released a 16th early are a gap at every bar line, whatever the drums play', () => {
    const early = bars(4, (s) => [note(60, s, BAR - S16), note(64, s, BAR - S16)]);
    const hats = bars(4, (s) => Array.from({ length: 16 }, (_, i) => note(42, s + i * S16, S16)));
    const r = barLineGaps(score({ sections: [['A', 4]], tracks: [track('harmony', early), track('drums', hats)] }));
    expect(r).toMatchObject({ barLines: 4, gaps: 4, share: 1 });
    expect(r.gapTicks).toEqual([BAR, 2 * BAR, 3 * BAR, 4 * BAR]);
  });
  it('half a 16th silent is a gap, a quarter of it is not; another part sounding fills it', () => {
    const at = (short: number, extra: ReturnType<typeof track>[] = []) => barLineGaps(score({ sections: [['A', 1]], tracks: [track('harmony', [note(60, 0, BAR - short)]), ...extra] })).gaps;
    expect(at(S16 / 2 + 1)).toBe(1);
    expect(at(S16 / 4)).toBe(0);
    expect(at(S16, [track('bass', [note(36, 0, BAR)], { channel: 1 })])).toBe(0);
  });
  it('bar lines ending a break are excepted', () => {
    const early = bars(4, (s) => [note(60, s, BAR - S16)]);
    const r = barLineGaps(score({ sections: [['A', 2], ['break', 1], ['A2', 1]], tracks: [track('harmony', early)] }));
    expect(r).toMatchObject({ barLines: 3, gaps: 3 });
    expect(r.gapTicks).toEqual([BAR, 2 * BAR, 4 * BAR]);
  });
  it('coveredTicks merges overlapping spans', () => {
    expect(coveredTicks([[0, 50], [40, 80], [100, 200]], 30, 120)).toBe(50 + 20);
  });
});

describe('leadAbove', () => {
  const chords = track('harmony', bars(4, (s) => [note(60, s, BAR), note(64, s, BAR), note(67, s + 5, BAR)]), { program: 4, channel: 1 });
  it('lead median minus the median top voice of the chords', () => {
    const lead = track('lead', [note(72, 0, Q), note(74, Q, Q), note(71, 2 * Q, Q)], { program: 81 });
    expect(leadAbove(score({ sections: [['A', 4]], tracks: [lead, chords] }))).toEqual({ leadMedian: 72, accompanimentTopMedian: 67, aboveBy: 5, sameProgramAsChords: false });
  });
  it('a lead inside the chord register on the chords instrument fails the 3-semitone target', () => {
    const lead = track('lead', [note(64, 0, Q), note(67, Q, Q), note(65, 2 * Q, Q), note(69, 3 * Q, Q)], { program: 4 });
    const pad = track('pad', bars(4, (s) => [note(67, s, BAR), note(71, s, BAR)]), { program: 89, channel: 2 });
    const r = leadAbove(score({ sections: [['A', 4]], tracks: [lead, chords, pad] }));
    expect(r.aboveBy).toBe(66 - 69);
    expect(r.sameProgramAsChords).toBe(true);
  });
  it('groups notes within a 32nd into one chord', () => {
    expect(topVoices([note(60, 0, Q), note(72, 50, Q), note(65, 100, Q)], 60)).toEqual([72, 65]);
  });
});

describe('polyphony', () => {
  it('is time-weighted over sounding time: a held triad is 3, silences do not count, drums are ignored', () => {
    const triad = track('harmony', [note(60, 0, BAR), note(64, 0, BAR), note(67, 0, BAR)]);
    const drums = track('drums', bars(2, (s) => [note(36, s, Q), note(38, s, Q)]));
    expect(polyphony(score({ sections: [['A', 2]], tracks: [triad, drums] }))).toBe(3);
    const later = track('lead', [note(72, 2 * BAR, BAR)], { channel: 1 });
    expect(polyphony(score({ sections: [['A', 4]], tracks: [triad, later] }))).toBe(2); // 1 bar of 3, 1 bar of 1, 1 silent bar
  });
  it('counts a pitch doubled on one channel once, on two channels twice', () => {
    const doubled = track('harmony', [note(60, 0, BAR), note(60, Q, Q)]);
    expect(polyphony(score({ sections: [['A', 1]], tracks: [doubled] }))).toBe(1);
    expect(polyphony(score({ sections: [['A', 1]], tracks: [doubled, track('pad', [note(60, 0, BAR)], { channel: 2 })] }))).toBe(2);
  });
  it('six-note textures fail the 2.5–4.5 target', () => {
    const thick = track('harmony', [60, 64, 67, 71, 74, 48].map((p) => note(p, 0, BAR)));
    expect(polyphony(score({ sections: [['A', 1]], tracks: [thick] }))).toBeGreaterThan(4.5);
  });
});

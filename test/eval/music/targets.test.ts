import { describe, expect, it } from 'vitest';
import { StyleCatalog } from '../../../src/core/catalog/index.ts';
import { hasSustainedAccompaniment, judge, wantsFourOnTheFloor, type PieceRecord } from '../../../src/eval/music/targets.ts';

function piece(over: { durationSec?: number; mood?: string; returnShare?: number | null; lra?: number; spread?: number | null; poly?: number; aboveBy?: number | null; drops?: number } = {}): PieceRecord {
  return {
    style: 'lofi',
    mood: over.mood ?? 'epic',
    seed: 1,
    durationSec: over.durationSec ?? 60,
    bpm: 90,
    meter: '4/4',
    generator: 'test',
    sections: [],
    midi: {
      themeReturn: { theme: 'A', themeUnits: 2, returning: [], contrasting: [{ name: 'B', units: 10, matched: 1 }], returnShare: over.returnShare === undefined ? 0.75 : over.returnShare, contrastShare: 0.1 },
      fourOnTheFloor: { drumBars: 10, fourOnTheFloorBars: 8, share: 0.8 },
      drumKit: { kitNotes: 0, otherPercussionNotes: 0, kitKeys: [] },
      barLineGaps: { barLines: 100, gaps: 1, gapTicks: [], share: 0.01 },
      leadAbove: { leadMedian: 72, accompanimentTopMedian: 67, aboveBy: over.aboveBy === undefined ? 5 : over.aboveBy, sameProgramAsChords: false },
      polyphony: over.poly ?? 3.5,
      melody: null,
    },
    audio: { dropouts: { frames: 2400, medianDb: -20, dropoutFrames: over.drops ?? 0, dropouts: over.drops ?? 0, at: [], longestSec: 0, perMinute: 0 }, lraLu: over.lra ?? 6, sections: [], sectionSpreadLu: over.spread === undefined ? 4 : over.spread },
  };
}

describe('judge', () => {
  it('passes a piece that meets every target', () => {
    for (const m of ['themeReturn', 'contrast', 'barLineGaps', 'dropouts', 'leadAbove', 'polyphony', 'loudnessRange'] as const) expect(judge(m, 'lofi', [piece()]).verdict).toBe('pass');
  });
  it('theme return: one piece of 45 s+ under 50 % or with no returning section fails the style; shorter pieces do not count', () => {
    expect(judge('themeReturn', 'lofi', [piece(), piece({ returnShare: 0.4 })]).verdict).toBe('FAIL');
    expect(judge('themeReturn', 'lofi', [piece(), piece({ returnShare: null })]).verdict).toBe('FAIL');
    expect(judge('themeReturn', 'lofi', [piece(), piece({ returnShare: null, durationSec: 30 })]).verdict).toBe('pass');
  });
  it('loudness range: only epic/energetic/dark pieces of 60 s+, and both LRA and the section spread count', () => {
    expect(judge('loudnessRange', 'lofi', [piece({ lra: 4 })]).verdict).toBe('FAIL');
    expect(judge('loudnessRange', 'lofi', [piece({ spread: 2.5 })]).verdict).toBe('FAIL');
    expect(judge('loudnessRange', 'lofi', [piece({ lra: 4, mood: 'calm' })]).verdict).toBe('n/a');
    expect(judge('loudnessRange', 'lofi', [piece({ lra: 4, durationSec: 45 })]).verdict).toBe('n/a');
  });
  it('polyphony, lead and drop-outs fail on one bad piece', () => {
    expect(judge('polyphony', 'lofi', [piece(), piece({ poly: 5.5 })]).verdict).toBe('FAIL');
    expect(judge('polyphony', 'lofi', [piece({ poly: 2.4 })]).verdict).toBe('FAIL');
    expect(judge('leadAbove', 'lofi', [piece({ aboveBy: 2 })]).verdict).toBe('FAIL');
    expect(judge('leadAbove', 'lofi', [piece({ aboveBy: null })]).verdict).toBe('pass');
    expect(judge('dropouts', 'lofi', [piece(), piece({ drops: 1 })]).verdict).toBe('FAIL');
  });
  it('applies the style-specific targets only to their styles, read from the catalog', () => {
    expect(judge('fourOnTheFloor', 'lofi', [piece()]).verdict).toBe('n/a');
    expect(judge('fourOnTheFloor', 'edm', [piece()]).verdict).toBe('pass');
    expect(judge('noDrumKit', 'edm', [piece()]).verdict).toBe('n/a');
    expect(judge('noDrumKit', 'cinematic', [piece()]).verdict).toBe('pass');
    expect(StyleCatalog.styles.filter(wantsFourOnTheFloor).map((s) => s.id)).toEqual(['synthwave', 'edm']);
    expect(StyleCatalog.styles.filter((s) => !hasSustainedAccompaniment(s)).map((s) => s.id)).toEqual(['chiptune', 'rock', 'folk']);
  });
});

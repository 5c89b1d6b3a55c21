import { describe, expect, it } from 'vitest';
import { changedShare, themeReturn, unitsMatch } from '../../../src/eval/music/themeReturn.ts';
import { classifySections, sectionFamily } from '../../../src/eval/music/sections.ts';
import { BAR, note, phrase, Q, score, track } from './fixtures.ts';

const OTHER = [72, 71, 69, 67, 69, 71, 72, 74];

describe('section roles', () => {
  it('reads families and roles from the names', () => {
    expect(['A2', 'verse 2', 'B2', 'chorus-3', 'outro(A)'].map(sectionFamily)).toEqual(['a', 'verse', 'b', 'chorus', 'outro']);
    const s = score({ sections: [['intro', 2], ['A', 8], ['B', 8], ['A2', 8], ['bridge', 8], ['outro(A)', 4], ['ending', 1]], tracks: [] });
    expect(classifySections(s).map((x) => x.role)).toEqual(['frame', 'theme', 'contrasting', 'returning', 'contrasting', 'returning', 'frame']);
  });
  it('takes the first body section as the theme (verse/chorus forms too)', () => {
    const s = score({ sections: [['intro(verse)', 4], ['verse', 8], ['chorus', 8], ['verse2', 8], ['chorus2', 8], ['break', 2]], tracks: [] });
    expect(classifySections(s).map((x) => x.role)).toEqual(['returning', 'theme', 'contrasting', 'returning', 'contrasting', 'frame']);
    expect(classifySections(s)[5]!.isBreak).toBe(true);
  });
  it('prefers a material letter and a break flag carried by the section', () => {
    const s = score({ sections: [['verse', 4], ['hook', 4], ['verse', 4], ['stop', 1]], tracks: [] });
    Object.assign(s.sections[0]!, { material: 'A' });
    Object.assign(s.sections[1]!, { material: 'B' });
    Object.assign(s.sections[2]!, { material: 'A' });
    Object.assign(s.sections[3]!, { break: true });
    expect(classifySections(s).map((x) => [x.family, x.role, x.isBreak])).toEqual([
      ['a', 'theme', false],
      ['b', 'contrasting', false],
      ['a', 'returning', false],
      ['stop', 'frame', true],
    ]);
  });
});

describe('unit matching', () => {
  const a = [
    { step: 0, pitch: 60 },
    { step: 2, pitch: 62 },
    { step: 4, pitch: 64 },
    { step: 6, pitch: 65 },
  ];
  it('same notes and transpositions match', () => {
    expect(changedShare(a, a, 0)).toBe(0);
    const up = a.map((n) => ({ ...n, pitch: n.pitch + 5 }));
    expect(changedShare(up, a, 5)).toBe(0);
    expect(unitsMatch(up, a)).toBe(true);
  });
  it('one pitch or one onset changed out of four is 25 %: a match; two are not', () => {
    expect(changedShare([{ step: 0, pitch: 61 }, ...a.slice(1)], a, 0)).toBe(0.25);
    expect(unitsMatch([{ step: 1, pitch: 60 }, ...a.slice(1)], a)).toBe(true);
    expect(unitsMatch([{ step: 1, pitch: 60 }, { step: 3, pitch: 62 }, ...a.slice(2)], a)).toBe(false);
  });
  it('an added ornament counts once; an empty unit matches nothing', () => {
    expect(changedShare([...a, { step: 1, pitch: 61 }], a, 0)).toBeCloseTo(1 / 5);
    expect(unitsMatch([], a)).toBe(false);
    expect(unitsMatch(a, [])).toBe(false);
  });
});

describe('themeReturn', () => {
  it('a theme restated exactly and transposed returns fully; an unrelated B does not contrast-match', () => {
    const lead = [...phrase(0), ...phrase(4 * BAR, 0, OTHER), ...phrase(8 * BAR, 5)];
    const r = themeReturn(score({ sections: [['A', 4], ['B', 4], ['A2', 4]], tracks: [track('lead', lead)] }));
    expect(r.theme).toBe('A');
    expect(r.returnShare).toBe(1);
    expect(r.contrastShare).toBe(0);
  });
  it('a new melody in A2 fails the return target, a B that copies A fails the contrast target', () => {
    const lead = [...phrase(0), ...phrase(4 * BAR), ...phrase(8 * BAR, 0, OTHER)];
    const r = themeReturn(score({ sections: [['A', 4], ['B', 4], ['A2', 4]], tracks: [track('lead', lead)] }));
    expect(r.returnShare).toBe(0);
    expect(r.contrastShare).toBe(1);
  });
  it('counts each 4-bar unit: half of an 8-bar A2 varied beyond 25 % gives 50 %', () => {
    const varied = phrase(12 * BAR).map((n, i) => (i % 3 === 0 ? { ...n, pitch: n.pitch + 1 } : n)); // 11 of 32 notes changed
    const lead = [...phrase(0), ...phrase(4 * BAR), ...phrase(8 * BAR), ...varied];
    const r = themeReturn(score({ sections: [['A', 8], ['A2', 8]], tracks: [track('lead', lead)] }));
    expect(r.returning).toEqual([{ name: 'A2', units: 2, matched: 1 }]);
    expect(r.returnShare).toBe(0.5);
  });
  it('a piece with no returning section has no return share (the target counts it as a miss)', () => {
    const r = themeReturn(score({ sections: [['intro', 2], ['A', 8], ['B', 8]], tracks: [track('lead', [note(60, 2 * BAR, Q)])] }));
    expect(r.returnShare).toBeNull();
    expect(r.returning).toEqual([]);
  });
});

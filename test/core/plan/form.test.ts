import { describe, expect, it } from 'vitest';
import { FORMS, StyleCatalog, type FormId } from '../../../src/core/catalog/index.ts';
import { planForm } from '../../../src/core/plan/form.ts';
import { planPiece } from '../../../src/core/plan/plan.ts';
import { createRng } from '../../../src/core/rng.ts';
import { makeRequest } from '../../support/requests.ts';

const FORM_IDS = Object.keys(FORMS) as FormId[];

describe('form catalog', () => {
  it.each(FORM_IDS)('%s: every plan length is listed, plans have that many sections, roles exist, long plans bring a third material', (id) => {
    const family = FORMS[id];
    for (let n = 1; n <= 9; n++) {
      const plans = family.plans[n];
      expect(plans?.length, `${id} ${n}`).toBeGreaterThan(0);
      for (const plan of plans!) {
        expect(plan).toHaveLength(n);
        expect(plan[0]).toMatch(/[AB]/);
        for (const letter of plan) expect(family.roles[letter], `${id} ${plan}`).toBeDefined();
        // Pieces of 2 minutes or more have five or more sections: three materials, three progressions.
        if (n >= 5) expect(new Set(plan).size, `${id} ${plan}`).toBeGreaterThanOrEqual(3);
        // From three sections on, a theme returns.
        if (n >= 3) expect(new Set(plan).size, `${id} ${plan}`).toBeLessThan(n);
      }
    }
  });

  it('gives each style the forms of its idiom', () => {
    const forms = (id: string) => StyleCatalog.style(id).forms;
    expect(forms('rock')).toEqual(['verse-chorus']);
    expect(forms('lofi')).toContain('verse-chorus');
    expect(forms('edm')).toEqual(['build-drop']);
    expect(forms('classical-piano')).toEqual(expect.arrayContaining(['ternary', 'rondo']));
    expect(forms('waltz')).toEqual(expect.arrayContaining(['ternary', 'rondo']));
    expect(forms('jazz')).toEqual(['head-solo-head']);
    expect(forms('ambient')).toEqual(['evolution']);
  });
});

describe('planForm', () => {
  it('covers exactly the bars, bar-aligned and contiguous, for every length and form', () => {
    for (const id of FORM_IDS) {
      for (let bars = 1; bars <= 200; bars += 3) {
        for (const loop of [false, true]) {
          const sections = planForm(bars, loop, { forms: [id], rng: createRng(bars) });
          let cursor = 0;
          for (const s of sections) {
            expect(s.startBar).toBe(cursor);
            expect(s.bars).toBeGreaterThan(0);
            expect(s.intensity).toBeGreaterThan(0);
            expect(s.intensity).toBeLessThanOrEqual(1);
            cursor += s.bars;
          }
          expect(cursor).toBe(bars);
          if (loop) expect(sections.some((s) => s.kind === 'intro' || s.kind === 'outro')).toBe(false);
        }
      }
    }
  });

  it('names returns after their statement and gives them a variation amount; statements vary nothing', () => {
    const sections = planForm(60, false, { forms: ['verse-chorus'], rng: createRng(3) });
    const body = sections.filter((s) => s.material);
    for (const s of body) {
      expect(s.name).toBe(s.appearance === 1 ? s.material : `${s.material}${s.appearance}`);
      if (s.appearance === 1) expect(s.variation).toBe(0);
      else expect(s.variation).toBeGreaterThan(0);
    }
    expect(body.some((s) => s.appearance > 1)).toBe(true);
  });

  it('shapes intensity: a quiet intro and outro, the peak in the body after the first section', () => {
    for (const id of FORM_IDS) {
      const sections = planForm(64, false, { forms: [id], rng: createRng(1) });
      const intro = sections[0]!;
      const outro = sections[sections.length - 1]!;
      expect(intro.kind).toBe('intro');
      expect(outro.kind).toBe('outro');
      const body = sections.filter((s) => s.material);
      const peak = Math.max(...body.map((s) => s.intensity));
      expect(intro.intensity, id).toBeLessThan(peak - 0.2);
      expect(outro.intensity, id).toBeLessThan(peak - 0.2);
      expect(body.findIndex((s) => s.intensity === peak), id).toBeGreaterThan(0);
    }
  });

  it('marks a one-bar break before a returning drop', () => {
    const sections = planForm(96, false, { forms: ['build-drop'], rng: createRng(2) });
    const breaks = sections.filter((s) => s.break);
    expect(breaks.length).toBeGreaterThan(0);
    for (const b of breaks) {
      expect(b.bars).toBe(1);
      expect(b.kind).toBe('break');
      expect(sections[sections.indexOf(b) + 1]!.kind).toBe('drop');
    }
  });
});

describe('returns of the theme keep whole four-bar phrases', () => {
  it('also when a build-drop plan opens on the build (its theme), with or without a break before the drop', () => {
    let openedOnBuild = 0;
    for (let bars = 14; bars <= 80; bars++) {
      for (let seed = 1; seed <= 6; seed++) {
        const sections = planForm(bars, false, { forms: ['build-drop'], rng: createRng(seed) });
        const body = sections.filter((s) => s.material !== null);
        const theme = body[0]!.material;
        if (theme !== 'A') openedOnBuild++;
        for (const s of body.filter((x) => x.material === theme && x.appearance > 1)) expect(s.bars, `${bars} bars, seed ${seed}: ${s.name}`).toBeGreaterThanOrEqual(4);
        expect(sections.reduce((n, s) => n + s.bars, 0)).toBe(bars);
      }
    }
    expect(openedOnBuild).toBeGreaterThan(0);
  });
});

describe('plan: form by style, length and seed', () => {
  it('varies the section plan by seed within the style', () => {
    for (const style of ['rock', 'edm', 'classical-piano', 'jazz']) {
      const plans = new Set<string>();
      for (let seed = 1; seed <= 12; seed++) plans.add(planPiece(makeRequest({ style, durationSec: 150, seed }), createRng(seed)).sections.map((s) => s.name).join(' '));
      expect(plans.size, style).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses at least three different progressions in pieces of two minutes or more', () => {
    for (const style of StyleCatalog.styleIds) {
      for (const seed of [1, 2, 3]) {
        const plan = planPiece(makeRequest({ style, durationSec: 120, seed }), createRng(seed));
        const used = new Set(plan.sections.map((s) => s.progression));
        expect(used.size, `${style} seed ${seed}`).toBeGreaterThanOrEqual(3);
        const numerals = new Set([...used].map((p) => plan.chords.filter((c) => plan.sections[c.section]?.progression === p).slice(0, 3).map((c) => c.numeral).join(' ')));
        expect(numerals.size, `${style} seed ${seed}`).toBeGreaterThanOrEqual(3);
      }
    }
  });
});

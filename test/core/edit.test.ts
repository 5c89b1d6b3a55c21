/**
 * The edit parser against the fixture of edits as people type them (test/core/edit.fixture.ts):
 * every entry's change must match exactly; the accuracy and each miss are printed, and at least
 * 95 % must be right.
 */
import { describe, expect, it } from 'vitest';
import { isEmptyEdit, parseEdit, type EditChange } from '../../src/core/edit.ts';
import { checkInstrument } from '../../src/core/request.ts';
import { EDIT_CASES, type EditCase } from './edit.fixture.ts';
import { HELD_OUT_CASES } from './edit.heldout.ts';

/** Instruments compared by GM program ("violins" = "violin"); key tonics by spelling; numbers to 3 places. */
function canonical(change: EditChange): Record<string, unknown> {
  const program = (name: string) => {
    const c = checkInstrument(name);
    return c.ok ? c.value.program : `unknown ${name}`;
  };
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(change)) {
    if (field === 'add' || field === 'remove') out[field] = (value as string[]).map(program).sort();
    else if (field === 'swap') out[field] = (value as { from?: string; to: string }[]).map((s) => ({ from: s.from === undefined ? null : program(s.from), to: program(s.to) }));
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      out[field] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1000) / 1000 : v]));
    } else out[field] = value;
  }
  return out;
}

describe('parseEdit on the fixture', () => {
  it('has at least 150 entries, each distinct', () => {
    expect(EDIT_CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(EDIT_CASES.map((c) => c.text)).size).toBe(EDIT_CASES.length);
  });

  it('gets at least 95 % exactly right (prints the accuracy and every miss)', () => {
    const { accuracy } = score(EDIT_CASES, 'edit parser on the fixture');
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('prints its accuracy on the held-out set (no pass mark: an estimate for unplanned phrasings)', () => {
    const { right } = score(HELD_OUT_CASES, 'edit parser on the held-out set');
    expect(right).toBeGreaterThan(0);
  });
});

function score(cases: EditCase[], label: string): { right: number; accuracy: number } {
    const misses: string[] = [];
    for (const c of cases) {
      const got = canonical(parseEdit(c.text).change);
      const want = canonical(c.expect);
      if (JSON.stringify(got, Object.keys(got).sort()) !== JSON.stringify(want, Object.keys(want).sort()) || JSON.stringify(Object.keys(got).sort()) !== JSON.stringify(Object.keys(want).sort())) {
        misses.push(`  ${JSON.stringify(c.text)}: expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(parseEdit(c.text).change)}`);
      }
    }
    const right = cases.length - misses.length;
    const accuracy = right / cases.length;
    console.log(`${label}: ${right}/${cases.length} exactly right (${(accuracy * 100).toFixed(1)} %)${misses.length ? `; misses:\n${misses.join('\n')}` : '; no misses'}`);
    return { right, accuracy };
}

describe('parseEdit', () => {
  it('names the words it did not understand, and reports an empty change for nonsense', () => {
    const edit = parseEdit('asdkjh qwpoeiru');
    expect(isEmptyEdit(edit)).toBe(true);
    expect(edit.ignored).toEqual(['asdkjh', 'qwpoeiru']);
  });

  it('says what it understood and where contradictions were settled', () => {
    const edit = parseEdit('faster, no wait, slower and add strings');
    expect(edit.change).toEqual({ tempo: { scale: 0.85 }, add: ['strings'] });
    expect(edit.understood.join('\n')).toMatch(/tempo ×0\.85 \(from “slower”\)/);
    expect(edit.conflicts.join('\n')).toMatch(/tempo: “faster” then “slower”; using the last/);
  });

  it('lists leftover words of a partly understood edit', () => {
    const edit = parseEdit('slower and more wibbly');
    expect(edit.change).toEqual({ tempo: { scale: 0.85 } });
    expect(edit.ignored).toEqual(['wibbly']);
  });

  it('never throws, whatever the input', () => {
    for (const text of ['', ' ', '🎵'.repeat(500), 'x'.repeat(5000), '1:99 999999bpm -5 %', undefined as unknown as string]) {
      expect(() => parseEdit(text)).not.toThrow();
    }
  });
});

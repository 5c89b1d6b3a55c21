/** The Re-render and Extend panels, custom ids and the /settings definition, without Discord. */
import { describe, expect, it } from 'vitest';
import { data as settingsCommand } from '../../commands/settings.ts';
import { extendChoices } from '../../src/bot/components/extend.ts';
import { decodeState, encodeState, NO_CHANGE, rerenderPanel, transformOf } from '../../src/bot/components/rerender.ts';
import { CUSTOM_ID, parseCustomId } from '../../src/bot/messages.ts';
import type { PieceSource } from '../../src/queue/resultStore.ts';

const RID = 'a'.repeat(32);
const source: PieceSource = {
  summary: { title: 'Calm lofi in A minor', style: 'lofi', mood: 'calm', key: 'A minor', bpm: 100, meter: '4/4', durationSec: 60, loop: false, seed: 1, generator: 'x', format: 'ogg', audioFile: 'a.ogg' },
  request: { style: 'lofi', mood: 'calm', durationSec: 60, tempo: 100, key: { tonic: 'A', mode: 'minor' }, meter: null, instruments: [], energy: null, seed: 1, loop: false, prompt: '' },
  render: { format: 'ogg' },
  midi: Buffer.alloc(0),
};
type Json = { custom_id?: string; options?: { value: string; label: string; default?: boolean }[]; disabled?: boolean; components?: Json[] };
const flat = (rows: { toJSON(): unknown }[]) => rows.flatMap((r) => (r.toJSON() as Json).components ?? []);

describe('the Re-render panel', () => {
  it('round-trips its state through custom ids, and rejects anything else', () => {
    const state = { tempoPct: 80, transpose: -3, preset: 'orchestra', font: 'timgm6mb' };
    expect(decodeState(encodeState(state))).toEqual(state);
    expect(decodeState(encodeState(NO_CHANGE))).toEqual(NO_CHANGE);
    for (const bad of ['', '80.0.-', '81.0.-.-', '80.12.-.-', '80.0.kazoo.-', '80.0.-.nofont', '80.0.-.-.x']) expect(decodeState(bad)).toBeNull();
    expect(transformOf(state)).toEqual({ tempoScale: 0.8, transpose: -3, instruments: 'orchestra' });
    expect(transformOf(NO_CHANGE)).toEqual({ tempoScale: 1, transpose: 0 });
  });

  it('has four menus and a button (disabled until something changes), ids within 100 characters', () => {
    const panel = rerenderPanel(RID, source, NO_CHANGE, 300);
    expect(panel.components).toHaveLength(5);
    const parts = flat(panel.components);
    expect(parts).toHaveLength(5);
    for (const p of parts) {
      expect(p.custom_id!.length).toBeLessThanOrEqual(100);
      expect(parseCustomId(p.custom_id!)).toMatchObject({ action: 'rr', resultId: RID });
    }
    expect(parts[4]!.disabled).toBe(true);
    const longest = flat(rerenderPanel(RID, source, { tempoPct: 125, transpose: -6, preset: 'chiptune', font: 'timgm6mb' }, 300).components);
    expect(longest[4]!.disabled).toBe(false);
    for (const p of longest) expect(p.custom_id!.length).toBeLessThanOrEqual(100);
    const keys = parts[1]!.options!;
    expect(keys).toHaveLength(12);
    expect(keys.find((o) => o.default)!.label).toBe('Key: keep A minor');
    expect(keys.find((o) => o.value === '5')!.label).toBe('Key: D minor (+5)');
  });

  it('offers only tempos that keep the piece inside the server’s longest length', () => {
    const values = (max: number) => flat(rerenderPanel(RID, source, NO_CHANGE, max).components)[0]!.options!.map((o) => o.value);
    expect(values(300)).toEqual(['70', '80', '90', '100', '110', '125', '150']);
    expect(values(60)).toEqual(['100', '110', '125', '150']); // slower would be longer than 60 s
  });
});

describe('the Extend panel', () => {
  it('offers longer lengths with room for new bars, within the server limit', () => {
    expect(extendChoices({ durationSec: 4, bpm: 100, meter: '4/4' }, 300)).toEqual([12, 15, 30, 60, 90]); // 8 s would leave less than two bars at 100 bpm
    expect(extendChoices({ durationSec: 60, bpm: 100, meter: '4/4' }, 90)).toEqual([90]);
    expect(extendChoices({ durationSec: 290, bpm: 100, meter: '4/4' }, 300)).toEqual([300]);
    expect(extendChoices({ durationSec: 297, bpm: 100, meter: '4/4' }, 300)).toEqual([]);
    expect(CUSTOM_ID.extendTo(RID, 300).length).toBeLessThanOrEqual(100);
  });
});

describe('/settings', () => {
  it('is visible to every member (show is harmless; changes are checked at run time), in servers only', () => {
    const json = settingsCommand.toJSON();
    expect(json.default_member_permissions ?? null).toBeNull();
    expect(json.contexts).toEqual([0]);
    expect((json.options ?? []).map((o) => o.name)).toEqual(['show', 'format', 'max-duration', 'cooldown', 'allow-channel', 'remove-channel', 'all-channels', 'dj-role', 'radio-styles', 'reset']);
  });
});

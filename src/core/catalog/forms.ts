/**
 * Forms: which sections a piece has, per style family, as data. A plan is a string of section
 * letters; the same letter is the same material (its first section states it, later ones return
 * to it, varied), different letters contrast. src/core/plan/form.ts fits a plan to the length.
 */

export type FormId = 'verse-chorus' | 'build-drop' | 'ternary' | 'rondo' | 'head-solo-head' | 'evolution';

/** What a section does; the arrangement reads it with `intensity` and `break`. */
export type SectionKind =
  | 'intro'
  | 'outro'
  | 'verse'
  | 'chorus'
  | 'bridge'
  | 'breakdown'
  | 'build'
  | 'drop'
  | 'break'
  | 'theme'
  | 'episode'
  | 'head'
  | 'solo'
  | 'drift';

export interface FormRole {
  kind: SectionKind;
  /** 0–1 on the first appearance; returns add `climb` per appearance (capped at 1). */
  intensity: number;
  /** Which of the piece's progressions it plays (0, 1, 2, 3). */
  progression: number;
  /** Notes-per-beat factor for the melody, so contrasting sections differ in rhythm density. */
  density: number;
  /** Melody register shift in semitones (a contrasting section sits higher or lower). */
  register: number;
}

export interface FormFamily {
  id: FormId;
  roles: Readonly<Record<string, FormRole>>;
  /** Added to a letter's intensity each time it returns. */
  climb: number;
  /**
   * How far a return differs from the first statement: amount (0 = exact, 1 = new) for the
   * 2nd, 3rd, … appearance (the last entry repeats).
   */
  returnVariation: readonly number[];
  /** Candidate plans by number of body sections; the seed picks one. Keys 1…maxSections. */
  plans: Readonly<Record<number, readonly string[]>>;
  /** A one-bar break (nothing but the lead's pickup) before these letters' returns, when room allows. */
  breakBefore?: string;
}

const role = (kind: SectionKind, intensity: number, progression: number, density = 1, register = 0): FormRole => ({ kind, intensity, progression, density, register });

export const FORMS: Readonly<Record<FormId, FormFamily>> = {
  // Pop, rock, lo-fi: verse (A), chorus (B, higher and busier), bridge (C) before the last chorus.
  'verse-chorus': {
    id: 'verse-chorus',
    roles: { A: role('verse', 0.55, 0, 0.9, 0), B: role('chorus', 0.85, 1, 1.15, 4), C: role('bridge', 0.6, 2, 0.75, -3) },
    climb: 0.07,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['AB'],
      3: ['ABA', 'ABB'],
      4: ['ABAB', 'AABA'],
      5: ['ABACB', 'ABCAB', 'AABCB'],
      6: ['ABABCB', 'AABACB'],
      7: ['ABABCBB', 'AABABCB'],
      8: ['ABABCABB', 'AABABCBB'],
      9: ['ABABCABAB', 'AABABCABB'],
    },
  },
  // EDM: a quiet statement of the hook (A, breakdown), a build (B), the drop (A again, full),
  // a contrasting breakdown (C), another build and drop.
  'build-drop': {
    id: 'build-drop',
    roles: { A: role('drop', 0.95, 0, 1.1, 0), B: role('build', 0.7, 1, 1.3, -5), C: role('breakdown', 0.45, 2, 0.6, 3) },
    climb: 0.03,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['BA'],
      3: ['ABA', 'BAA'],
      4: ['ABAB', 'BABA'],
      5: ['ABACA', 'BACBA'],
      6: ['ABACBA', 'BABCBA'],
      7: ['ABACBAA', 'BACBABA'],
      8: ['ABACABCA', 'BABCBACA'],
      9: ['ABACABCBA', 'BABCBABCA'],
    },
    breakBefore: 'A',
  },
  // Classical piano and waltz, ABA: a theme, a contrasting middle in another register, the theme again.
  ternary: {
    id: 'ternary',
    roles: { A: role('theme', 0.6, 0, 1, 0), B: role('episode', 0.8, 1, 0.75, -5), C: role('episode', 0.7, 2, 1.25, 3) },
    climb: 0.08,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['AB'],
      3: ['ABA'],
      4: ['AABA', 'ABAA'],
      5: ['AABCA', 'ABACA'],
      6: ['AABCAA', 'ABACBA'],
      7: ['AABCBAA', 'ABACABA'],
      8: ['AABACBAA', 'ABACABCA'],
      9: ['AABBACCAA', 'ABACABACA'],
    },
  },
  // Rondo: the refrain (A) between ever-new episodes (B, C).
  rondo: {
    id: 'rondo',
    roles: { A: role('theme', 0.7, 0, 1, 0), B: role('episode', 0.8, 1, 1.25, 4), C: role('episode', 0.6, 2, 0.75, -4) },
    climb: 0.06,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['AB'],
      3: ['ABA'],
      4: ['ABAA', 'AABA'],
      5: ['ABACA'],
      6: ['ABACAA', 'AABACA'],
      7: ['ABACABA'],
      8: ['ABACABAA', 'AABACABA'],
      9: ['ABACABACA', 'AABACABAA'],
    },
  },
  // Jazz and bossa: the head (A), solo choruses on other changes (B, C), the head again.
  'head-solo-head': {
    id: 'head-solo-head',
    roles: { A: role('head', 0.65, 0, 1, 0), B: role('solo', 0.85, 1, 1.35, 3), C: role('solo', 0.9, 2, 1.2, -2) },
    climb: 0.05,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['AB'],
      3: ['ABA'],
      4: ['AABA', 'ABCA'],
      5: ['AABCA', 'ABCAA'],
      6: ['AABCAA', 'ABACAA'],
      7: ['AABACAA', 'AABCAAA'],
      8: ['AABAACAA', 'AABACAAA'],
      9: ['AABAACAAA', 'AABACAAAA'],
    },
  },
  // Ambient: one idea drifting through slowly changing harmony and register, seldom far away.
  evolution: {
    id: 'evolution',
    roles: { A: role('drift', 0.4, 0, 1, 0), B: role('drift', 0.55, 1, 1.3, 5), C: role('drift', 0.65, 2, 0.8, -3) },
    climb: 0.08,
    returnVariation: [0.1, 0.15],
    plans: {
      1: ['A'],
      2: ['AB'],
      3: ['ABA'],
      4: ['AABA', 'ABAA'],
      5: ['ABACA', 'AABCA'],
      6: ['AABACA', 'ABACAA'],
      7: ['AABACAA', 'ABACABA'],
      8: ['AABACABA', 'ABACABAA'],
      9: ['AABACABAA', 'ABACABACA'],
    },
  },
};

/**
 * What the radio's steering buttons move, as data: moods in order from darkest to brightest
 * (happier / darker step along it) and the energy levels with where each sits in a style's
 * tempo range (calmer / more energy step along them and drift the tempo that way).
 */
import type { Energy } from './moods.ts';

/** Darkest first. A mood not listed steps from the nearest listed one (`RADIO_MOOD_NEAREST`). */
export const RADIO_VALENCE_LADDER: readonly string[] = ['dark', 'mysterious', 'sad', 'nostalgic', 'calm', 'romantic', 'happy', 'playful'];

/** Moods off the ladder, placed on it for stepping. */
export const RADIO_MOOD_NEAREST: Readonly<Record<string, string>> = { epic: 'dark', energetic: 'happy' };

export const RADIO_ENERGIES: readonly Energy[] = ['low', 'medium', 'high'];

/** Where in the style's tempo range each energy level aims (0 = slowest, 1 = fastest). */
export const RADIO_TEMPO_POSITION: Readonly<Record<Energy, number>> = { low: 0.15, medium: 0.5, high: 0.9 };

/** The steering choices, in panel order, with their button labels (emoji + words). */
export const RADIO_CHOICES = [
  { id: 'calmer', label: 'Calmer', emoji: '🌙' },
  { id: 'energy', label: 'More energy', emoji: '⚡' },
  { id: 'happier', label: 'Happier', emoji: '☀️' },
  { id: 'darker', label: 'Darker', emoji: '🌑' },
  { id: 'theme', label: 'New theme', emoji: '🎼' },
  { id: 'skip', label: 'Skip', emoji: '⏭️' },
] as const;
export type RadioChoice = (typeof RADIO_CHOICES)[number]['id'];
export const RADIO_CHOICE_IDS = RADIO_CHOICES.map((c) => c.id) as readonly RadioChoice[];

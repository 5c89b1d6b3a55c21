/**
 * When the room's choice is applied, and where it is heard (pure). Issue 15: the choice is heard
 * in the first section that starts after the vote window closes, at most 30 s after the press,
 * whatever the section length (15–30 s) and however busy the workers are.
 *
 * A window opens with its first vote and closes VOTE_WINDOW_SEC later, or later still while the
 * next section to start cannot be rendered afresh in time (it starts less than the render budget
 * ahead: a fresh render would not be there, and playing the old one would carry the old
 * attributes). Once it closes, the carrier is the section after the one being fed. It starts at
 * the fed section's end if that is at least the render budget ahead; if the end is further than
 * that, the fed section is cut at its first bar line at least the budget ahead (bar lines are
 * packet boundaries, so the cut is a join like any other). Press → heard is then at most
 *   VOTE_WINDOW_SEC + 2 × budget + one bar + what the player buffers,
 * independent of the section length (a window deferred by a section about to start waits less
 * than the budget; that section then plays at least a budget before it is cut).
 */

export const VOTE_WINDOW_SEC = 3;
/** Seconds a fresh section render is given: a worker busy with one section, then this one. */
export const RENDER_BUDGET_SEC = 8;
/** What the issue promises: press → first packet of the section carrying the choice. */
export const PRESS_TO_HEARD_MAX_SEC = 30;

/** The section being handed to the player, in packets of 20 ms. */
export interface FedSection {
  /** Packets of its main part handed out so far. */
  position: number;
  /** Packets of its main part it plays (fewer than rendered once cut). */
  end: number;
  barPackets: number;
  /** Its last bar is repeating because the next section is late. */
  holding: boolean;
}

export type Steer =
  /** Keep the window open: the next section starts too soon to be rendered afresh. */
  | { kind: 'wait'; startsIn: number }
  /** Close: the next section carries the choice; it starts `joinIn` packets from now (after a cut at `cutPackets` when set). */
  | { kind: 'apply'; joinIn: number; cutPackets: number | null };

/** Where a window closing now puts the choice (`budget` in packets). */
export function steer(fed: FedSection, budget: number): Steer {
  // Holding: the next section is late and starts as soon as it is there; asking for it afresh would make it later still.
  if (fed.holding) return { kind: 'wait', startsIn: 0 };
  const left = fed.end - fed.position;
  if (left < budget) return { kind: 'wait', startsIn: left };
  const cut = Math.ceil((fed.position + budget) / fed.barPackets) * fed.barPackets;
  if (cut >= fed.end) return { kind: 'apply', joinIn: left, cutPackets: null };
  return { kind: 'apply', joinIn: cut - fed.position, cutPackets: cut };
}

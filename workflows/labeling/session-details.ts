import type { SessionPhase } from '../../common/labeling.js';

/**
 * A session's Current Details in the Temporal Web UI: where it is, and a link to its labeling
 * screen in the Tidemark console (where people label by keyboard instead of pasting JSON into
 * the signal dialog).
 */
export function sessionDetails(s: {
  name: string;
  round: number;
  phase: SessionPhase;
  asked: number;
  labeled: number;
  deadline?: number;
  labelingPage?: string;
}): string {
  const progress = s.asked ? ` · ${s.labeled} of ${s.asked} labeled` : '';
  const due = s.phase === 'waiting' && s.deadline ? ` · deadline ${new Date(s.deadline).toISOString()}` : '';
  const link = s.labelingPage ? `\n\n[Label in the Tidemark console](${s.labelingPage})` : '';
  return `**${s.name}** · round ${s.round} · ${s.phase}${progress}${due}${link}`;
}

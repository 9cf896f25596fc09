import { useEffect, useMemo, useRef, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import type { LabelingView, SubmitAnswer } from '../../../../common/console-api.js';
import type { PendingSample } from '../../../../common/labeling.js';
import { enc, postJson, useApi } from '../api.js';
import { ErrorNote, ExternalLink, Loading } from '../components/Notes.js';
import { SampleCard } from '../components/SampleCard.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago } from '../format.js';
import { answered, draftCount, emptyDraft, label, undo, type Draft } from '../labeling/draft.js';
import { defaultKeyMap, keyForLabel, keyMapProblems, labelForKey, withKey, type KeyMap } from '../labeling/keymap.js';
import { useStored } from '../labeling/use-stored.js';

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');

/**
 * The labeling screen of one session: every sample of the round large, labeled by keyboard (each
 * label has a key), Undo for the last label, Enter to send the draft through the `submitLabels`
 * update with the session's answer shown on each sample. Several people may label one session at
 * once: the screen polls the session, shows labels others gave, and the update's verdict keeps a
 * label from being lost or counted twice.
 */
export function LabelingPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const view = useApi<LabelingView>(`/api/labeling/${enc(id)}`, { pollMs: 2000 });
  const data = view.data;
  const round = data?.pending.round ?? 0;

  const [labeler, setLabeler] = useStored(
    'tidemark.labeler',
    () => `browser-${Math.random().toString(36).slice(2, 6)}`,
  );
  useEffect(() => {
    const fromUrl = params.get('labeler');
    if (fromUrl) setLabeler(fromUrl);
  }, [params, setLabeler]);
  const [draft, setDraft] = useStored<Draft>(`tidemark.draft.${id}`, () => emptyDraft(0));
  const labelSet = useMemo(() => data?.pending.labelSet ?? [], [data?.pending.labelSet]);
  const [keymap, setKeymap] = useStored<KeyMap | null>(`tidemark.keys.${data?.session.name ?? id}`, () => null);
  const keys = keymap ?? defaultKeyMap(labelSet);
  const [editingKeys, setEditingKeys] = useState(false);
  const [help, setHelp] = useState(false);
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();

  // Every sample seen in this round stays on screen (labeled ones too), in the batch's order.
  const [seen, setSeen] = useState<{ round: number; samples: PendingSample[] }>({ round: 0, samples: [] });
  useEffect(() => {
    if (!data) return;
    setSeen((s) => {
      const base = s.round === round ? s.samples : [];
      const known = new Set(base.map((x) => x.id));
      const added = data.pending.samples.filter((x) => !known.has(x.id));
      return added.length || s.round !== round ? { round, samples: [...base, ...added] } : s;
    });
    if (draft.round !== round) setDraft(emptyDraft(round));
  }, [data, round, draft.round, setDraft]);
  const samples = seen.round === round ? seen.samples : [];
  // The profile comes with a batch that is open; the samples of a closed one keep it.
  const reference = useRef<LabelingView['reference']>(undefined);
  if (data?.reference) reference.current = data.reference;
  const labels = data?.labels ?? {};
  const isOpen = (s: PendingSample) => draft.labels[s.id] === undefined && !labels[s.id];

  const [cursor, setCursor] = useState(0);
  const cards = useRef(new Map<string, HTMLDivElement>());
  const current = samples[Math.min(cursor, Math.max(0, samples.length - 1))];
  useEffect(() => {
    if (current) cards.current.get(current.id)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [current]);
  const nextOpen = (from: number) => {
    for (let i = 1; i <= samples.length; i++) {
      const j = (from + i) % samples.length;
      if (isOpen(samples[j]!)) return j;
    }
    return Math.min(from + 1, samples.length - 1);
  };

  const give = (value: string) => {
    if (!current) return;
    setDraft((d) => label(d, current.id, value));
    setCursor(nextOpen(cursor));
  };
  const takeBack = () => {
    const { draft: next, id: back } = undo(draft);
    setDraft(next);
    const at = samples.findIndex((s) => s.id === back);
    if (at >= 0) setCursor(at);
  };
  const submit = async () => {
    const sent = { ...draft.labels };
    if (!Object.keys(sent).length || sending) return;
    setSending(true);
    setError(undefined);
    try {
      const answer = await postJson<SubmitAnswer>(`/api/labeling/${enc(id)}/labels`, { labeler, labels: sent });
      setDraft((d) => answered(d, sent, answer.verdict));
      const v = answer.verdict;
      setMessage(
        answer.refused && !v.accepted.length
          ? `Nothing was accepted: ${answer.refused.split('\n')[0]}`
          : `Sent ${Object.keys(sent).length}: ${v.accepted.length} accepted, ${v.unchanged.length} unchanged, ${v.rejected.length} rejected; ${v.pending} still to label in round ${v.round}.`,
      );
      await view.refetch();
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || editingKeys) return;
      if (e.key === 'Enter') return void (e.preventDefault(), submit());
      if (e.key === 'Backspace' || (e.key.toLowerCase() === 'z' && (e.ctrlKey || e.metaKey)))
        return void (e.preventDefault(), takeBack());
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'ArrowRight' || e.key === ' ')
        return void (e.preventDefault(), setCursor((c) => Math.min(c + 1, samples.length - 1)));
      if (e.key === 'ArrowLeft') return void (e.preventDefault(), setCursor((c) => Math.max(c - 1, 0)));
      if (e.key === '?') return setHelp((h) => !h);
      const value = labelForKey(keys, e.key);
      if (value !== undefined) {
        e.preventDefault();
        give(value);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (view.isLoading) return <Loading what="the session" />;
  if (!data) return <ErrorNote error={view.error ?? 'no such session'} />;
  const { pending, session } = data;
  const drafted = draftCount(draft);
  const labeledNow = Object.keys(labels).length;
  const asked = pending.asked || samples.length;
  const problems = keyMapProblems(keys, labelSet);
  const waiting = pending.phase === 'waiting';

  return (
    <section className="labeling">
      <div className="run-head">
        <h1>
          {session.name} <span className="muted">round {pending.round}</span> <StateBadge state={pending.phase} />
        </h1>
        <div className="run-facts">
          <span className="mono small">{data.workflowId}</span>
          <span data-testid="progress">
            {labeledNow} of {asked} labeled · {drafted} drafted, not sent
          </span>
          {pending.deadline && waiting && (
            <span title={new Date(pending.deadline).toLocaleString()}>deadline {ago(pending.deadline)}</span>
          )}
          <ExternalLink href={data.temporalUrl}>Temporal UI</ExternalLink>
          <ExternalLink href={session.mlflowRunUrl}>MLflow</ExternalLink>
        </div>
        <div className="progress">
          <div className="bar labeled" style={{ width: `${(100 * labeledNow) / Math.max(1, asked)}%` }} />
          <div className="bar drafted" style={{ width: `${(100 * drafted) / Math.max(1, asked)}%` }} />
        </div>
      </div>

      <div className="toolbar">
        <label>
          labeler <input value={labeler} onChange={(e) => setLabeler(e.target.value)} aria-label="labeler" size={14} />
        </label>
        <div className="label-keys">
          {labelSet.map((l) => (
            <button key={l} onClick={() => give(l)} disabled={!current} data-label={l}>
              <kbd>{keyForLabel(keys, l) ?? '·'}</kbd> {l}
            </button>
          ))}
        </div>
        <button onClick={takeBack} disabled={!draft.order.length} title="Backspace or Ctrl+Z">
          Undo <kbd>⌫</kbd>
        </button>
        <button className="primary" onClick={() => void submit()} disabled={!drafted || sending} title="Enter">
          Submit {drafted || ''} <kbd>↵</kbd>
        </button>
        <button onClick={() => setEditingKeys((v) => !v)}>Keys…</button>
        <button onClick={() => setHelp((h) => !h)} aria-label="keyboard help">
          ?
        </button>
      </div>
      {editingKeys && (
        <div className="keys-editor">
          {labelSet.map((l) => (
            <label key={l}>
              {l}{' '}
              <input
                maxLength={1}
                size={2}
                value={keyForLabel(keys, l) ?? ''}
                onChange={(e) => setKeymap(withKey(keys, l, e.target.value))}
                aria-label={`key for ${l}`}
              />
            </label>
          ))}
          <button onClick={() => setKeymap(null)}>defaults</button>
          {problems.length > 0 && <ErrorNote error={problems.join('; ')} />}
        </div>
      )}
      {help && (
        <div className="help">
          Label keys label the outlined sample and move on · <kbd>⌫</kbd> or <kbd>Ctrl</kbd>+<kbd>Z</kbd> undoes the
          last label · <kbd>↵</kbd> sends the draft · <kbd>←</kbd> <kbd>→</kbd> <kbd>Space</kbd> move · <kbd>?</kbd>{' '}
          this help. Labels someone else gave show as theirs; sending a different one for the same sample is rejected,
          in place.
        </div>
      )}
      {message && (
        <p className="message" data-testid="submit-message">
          {message}
        </p>
      )}
      <ErrorNote error={error} />
      {!waiting && (
        <p className="empty">
          This session is {pending.phase}:{' '}
          {pending.phase === 'selecting' ? 'it is picking the next batch' : 'no labels are taken now'}.
        </p>
      )}
      {session.recentRejections.length > 0 && (
        <details className="recent">
          <summary>{session.recentRejections.length} recent rejections of signalled labels</summary>
          <ul>
            {session.recentRejections.map((r, i) => (
              <li key={i}>
                {r.id}={r.label}: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className={`samples ${pending.images ? 'images' : 'rows'}`}>
        {samples.map((s, i) => (
          <SampleCard
            key={s.id}
            ref={(el) => {
              if (el) cards.current.set(s.id, el);
              else cards.current.delete(s.id);
            }}
            sample={s}
            current={current?.id === s.id}
            drafted={draft.labels[s.id]}
            sent={draft.sent[s.id]}
            byOthers={labels[s.id]}
            reference={reference.current}
            onFocus={() => setCursor(i)}
          />
        ))}
      </div>
    </section>
  );
}

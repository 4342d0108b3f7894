/**
 * Protocol evaluators that need DNS (SPF `check_host()`, DMARC discovery) are written once, as generators that
 * yield the questions they need answered and receive the answers. Two drivers run them: `runAsync` over a
 * `ResolveFn` (live DNS, `dns.json` through `recordedResolver`, the loopback test server) and `runSync` over an
 * in-memory answer function, for the simulator, which is pure and synchronous and asks about attempts that no
 * one could have resolved in advance. The evaluator cannot tell which driver runs it, so both give the same
 * result for the same answers.
 */
import {
  query,
  resultOfError,
  type DnsResult,
  type RecordOf,
  type ResolveFn,
  type RRType,
} from './resolver.js';
import { normaliseName, zoneFailure, type DnsZone } from '../common/zone.js';

export interface Question {
  name: string;
  type: RRType;
  /**
   * The name came out of SPF macro expansion (RFC 7208 §7): it depends on the message being checked, so a
   * recording of a domain's published records cannot be expected to hold it.
   */
  fromMacro: boolean;
}

export type Answer = DnsResult<RecordOf[RRType]>;

/** An evaluation that asks DNS questions and ends with an `R`. */
export type DnsSteps<R> = Generator<Question, R, Answer>;

/** Asks one question; the answer comes back typed by its record type. */
export function* ask<T extends RRType>(
  name: string,
  type: T,
  fromMacro = false,
): Generator<Question, DnsResult<RecordOf[T]>, Answer> {
  // The drivers answer a question of type T with records of type T (runAsync through `query`, the sync answer
  // functions by construction); this is the one place that relies on it.
  return (yield { name, type, fromMacro }) as DnsResult<RecordOf[T]>;
}

/** Runs an evaluation over a resolver, one question at a time, in the order the evaluation asks them. */
export async function runAsync<R>(steps: DnsSteps<R>, resolve: ResolveFn): Promise<R> {
  let step = steps.next();
  while (!step.done) step = steps.next(await query(resolve, step.value.name, step.value.type));
  return step.value;
}

/** The answer source could not answer: not "no record" (that is NXDOMAIN/NODATA), but "not known". */
export interface Unanswerable {
  kind: 'unanswerable';
  why: string;
}

export type SyncAnswerFn = (q: Question) => Answer | Unanswerable;

export type SyncRun<R> = { done: true; value: R } | { done: false; question: Question; why: string };

/**
 * Runs an evaluation over an in-memory answer function. A question it cannot answer ends the run undecided:
 * guessing an answer would be guessing the result (DESIGN §1.1, unknown is never safe).
 */
export function runSync<R>(steps: DnsSteps<R>, answer: SyncAnswerFn): SyncRun<R> {
  let step = steps.next();
  while (!step.done) {
    const a = answer(step.value);
    if (a.kind === 'unanswerable') return { done: false, question: step.value, why: a.why };
    step = steps.next(a);
  }
  return { done: true, value: step.value };
}

/**
 * The answer the recorded zone gives, exactly as `query(recordedResolver(zone), …)` does (DESIGN §3.1: a name
 * absent = NXDOMAIN, a name present without the type = NODATA). `dns.json` holds no PTR records, so a PTR
 * question is NODATA or NXDOMAIN here as there.
 */
export function zoneAnswer(zone: DnsZone, q: Question): Answer {
  // A lookup that failed when the zone was recorded fails here too (DESIGN §1.1: temperror, never an absence).
  const failure = q.type === 'PTR' ? undefined : zoneFailure(zone, q.name, q.type);
  if (failure) return resultOfError(failure.code, failure.reason);
  const entry = zone.get(normaliseName(q.name));
  if (!entry) return { kind: 'nxdomain' };
  if (q.type === 'PTR') return { kind: 'nodata' };
  const records = entry[q.type];
  if (!records || records.length === 0) return { kind: 'nodata' };
  // Names are normalised as `query` normalises what a resolver returns: zoneFromJson has done it already, a
  // hand-built zone may not have.
  if (q.type === 'CNAME') return { kind: 'answer', records: (records as string[]).map(normaliseName) };
  if (q.type === 'MX')
    return {
      kind: 'answer',
      records: (records as RecordOf['MX'][]).map((m) => ({
        exchange: normaliseName(m.exchange),
        priority: Number(m.priority),
      })),
    };
  return { kind: 'answer', records: [...records] as RecordOf[RRType][] };
}

/**
 * Evaluations that ask several independent questions at once (the SPF tree walk: sibling includes, the addresses of
 * a/mx hosts). `runBatchAsync` sends a batch in parallel, so a walk costs the depth of the tree in round trips, not its
 * size (DESIGN §8: `dns` wall time within 1.5× the critical path); `runBatchSync` answers it from memory.
 */
export type DnsBatchSteps<R> = Generator<readonly Question[], R, readonly Answer[]>;

/** Asks questions of one record type (or of types sharing a record shape, A and AAAA) in one batch. */
export function* askBatch<T extends RRType>(
  questions: readonly { name: string; type: T }[],
): Generator<readonly Question[], DnsResult<RecordOf[T]>[], readonly Answer[]> {
  if (questions.length === 0) return [];
  const answers = yield questions.map((q) => ({ name: q.name, type: q.type, fromMacro: false }));
  // The drivers below answer in order, each question with records of its type: the one place that relies on it.
  return answers as DnsResult<RecordOf[T]>[];
}

/** Runs evaluations side by side: each round asks the pending questions of all of them in one batch. */
export function* inParallel<R>(evaluations: readonly DnsBatchSteps<R>[]): DnsBatchSteps<R[]> {
  const results: R[] = new Array<R>(evaluations.length);
  let pending = evaluations.map((steps, i) => ({ steps, i, step: steps.next() }));
  for (;;) {
    for (const p of pending) if (p.step.done) results[p.i] = p.step.value;
    pending = pending.filter((p) => !p.step.done);
    if (pending.length === 0) return results;
    const questions = pending.flatMap((p) => (p.step.done ? [] : p.step.value));
    const answers = yield questions;
    let at = 0;
    for (const p of pending) {
      const n = p.step.done ? 0 : p.step.value.length;
      p.step = p.steps.next(answers.slice(at, at + n));
      at += n;
    }
  }
}

/** Runs a batch evaluation over a resolver, each batch in parallel. */
export async function runBatchAsync<R>(steps: DnsBatchSteps<R>, resolve: ResolveFn): Promise<R> {
  let step = steps.next();
  while (!step.done)
    step = steps.next(await Promise.all(step.value.map((q) => query(resolve, q.name, q.type))));
  return step.value;
}

/** Runs a batch evaluation over an in-memory answer function; a question it cannot answer ends the run undecided. */
export function runBatchSync<R>(steps: DnsBatchSteps<R>, answer: SyncAnswerFn): SyncRun<R> {
  let step = steps.next();
  while (!step.done) {
    const answers: Answer[] = [];
    for (const q of step.value) {
      const a = answer(q);
      if (a.kind === 'unanswerable') return { done: false, question: q, why: a.why };
      answers.push(a);
    }
    step = steps.next(answers);
  }
  return { done: true, value: step.value };
}

/** Simulator vocabulary (DESIGN §5, eop-model §0, §9). */

export type Evidence = 'D' | 'C' | 'I';

/** One rule of eop-model.md that decided (part of) an outcome. */
export interface Decision {
  /** eop-model rule id: `CON-5`, `DS-2`, `TR-3`, `SPOOF-6.3`… */
  rule: string;
  evidence: Evidence;
  text: string;
}

export type Disposition = 'rejected' | 'ndr' | 'quarantine' | 'junk' | 'inbox' | 'dropped';
export type Stage = 'rcpt' | 'post-acceptance';

/** One possible end of a message for one recipient. */
export interface Outcome {
  stage: Stage;
  disposition: Disposition;
  /** SMTP reply for in-session refusals, or the NDR line for post-acceptance rejects; `unknown` when undocumented. */
  reply?: string;
  decisions: Decision[];
}

/**
 * The simulator's answer: every outcome the model allows. One outcome = determined; several = the model cannot
 * tell them apart (an open question, an unmodelled condition), each with its reason in `uncertainties`.
 */
export interface SimResult {
  outcomes: Outcome[];
  uncertainties: string[];
}

export interface AuthVerdict {
  /** SPF of the P1 domain for the connecting (or EF original) IP. */
  spf: 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror' | 'unknown';
  /** DKIM aligned with the P2 domain. */
  dkim: 'pass' | 'fail' | 'none';
  /** DMARC for the P2 domain. */
  dmarc: 'pass' | 'fail' | 'none' | 'unknown';
  /** Published DMARC policy of the P2 domain (after sp/np selection); `absent` = no record. */
  dmarcPolicy: 'none' | 'quarantine' | 'reject' | 'absent' | 'unknown';
  /** Why, for the evidence. */
  notes: string[];
  /**
   * Set by an oracle that knows it: the IPv4 addresses (unsigned 32-bit numbers) that get this same verdict, the
   * address written in `notes` aside. The simulator's replay cache reuses a verdict only inside this range.
   */
  ipRange?: readonly [number, number];
}

/** A message attempt as the simulator sees it (eop-model §9 INPUT session). */
export interface Attempt {
  clientIp: string;
  tls: boolean;
  /** Subject/SAN names of the client certificate presented over TLS. */
  certNames: string[];
  /** P1 / envelope sender; '' for the null reverse path `<>`. */
  mailFrom: string;
  /** P2 / From: header address. */
  headerFrom: string;
  rcpts: string[];
  /** SMTP AUTH client submission (not Direct Send). */
  authenticated?: boolean;
  /** Headers the sender wrote (attacker-controlled for attack paths). */
  headers?: Record<string, string>;
  /** `Received:` hops before the connecting IP (newest first), for Enhanced Filtering. */
  receivedIps?: string[];
  /** Authentication of the P2 domain as EOP would compute it; computed from DNS when absent. */
  auth?: AuthVerdict;
  /** The sender controls the message (attack path): headers outside EOP's header firewall are attacker-chosen. */
  adversarial?: boolean;
  /** Over IPv6: whether the client address has a PTR record (IPV6-2); undefined = unknown, both answers explored. */
  ptr?: boolean;
  /**
   * Domains whose valid DKIM signature the message carries, aligned with the From: domain or not (an attacker signs
   * with its own domain): enough for the IPv6 SPF-or-DKIM requirement (IPV6-3 [I]), not for DMARC.
   */
  signedBy?: string[];
}

export type PathKind = 'attack' | 'legitimate' | 'residual';
export type PathStatus = 'open' | 'closed' | 'mitigated' | 'uncertain' | 'preserved' | 'broken';

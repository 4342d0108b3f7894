/**
 * The gateway mxlock reasons about: from the profile, inferred from MX + connectors, `none` (the tenant has no gateway:
 * every MX of its accepted domains points at Exchange Online and none is declared) or `unknown` (mxlock cannot tell:
 * no MX answer, no usable connector data, nothing in the profile). DESIGN §3.3.
 */
export type GatewaySource = 'profile' | 'inferred' | 'none' | 'unknown';

export interface ResolvedGateway {
  source: GatewaySource;
  name: string | undefined;
  /** Known SEG vendor id when recognised (`mimecast`, `proofpoint`…). */
  vendor: string | undefined;
  ips: string[];
  certificate: string | undefined;
  /**
   * When `certificate` is unknown because lock-downs in place name different ones: those certificates. The gateway
   * presents one of them or none, and the simulation tries each (a path it decides then reads uncertain, not broken).
   */
  certificateCandidates?: string[];
  certificateUnique: boolean;
  dkimSelectors: string[];
  /** How it was found, for the report. */
  basis: string[];
  /**
   * What was inferred from a connector rather than declared ([I]), or passed over as not the gateway's: `assess` and
   * `plan` show these as warnings, so the administrator can confirm them in mxlock.yaml.
   */
  cautions?: string[];
}

export const NO_GATEWAY: ResolvedGateway = {
  source: 'none',
  name: undefined,
  vendor: undefined,
  ips: [],
  certificate: undefined,
  certificateUnique: false,
  dkimSelectors: [],
  basis: [],
};

/** Whether a gateway is known to exist (declared or inferred): the gateway-only checks and paths apply. */
export function hasGateway(gateway: Pick<ResolvedGateway, 'source'>): boolean {
  return gateway.source === 'profile' || gateway.source === 'inferred';
}

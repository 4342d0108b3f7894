/**
 * The HTTPS transport of `mxlock collect` (node:https; no HTTP dependency): one request, a timeout that covers the
 * whole exchange, cancellation, gzip, a bounded answer, and an extra trusted CA (--ca-file) beside the system's. The
 * admin API client and MSAL's network module (./auth.ts) both send through it, so --endpoint/--ca-file apply to both.
 * The I/O edge of src/exo.
 */
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from './client.js';

/** Largest answer read: a page of 1,000 transport rules is a few MB; anything near this is not the admin API. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface TransportOptions {
  /** PEM certificates trusted besides the system's (--ca-file). */
  ca?: string | undefined;
  maxBytes?: number;
}

/** A Transport over node:https. Plain http is refused: the token would cross the network in clear. */
export function httpsTransport(options: TransportOptions = {}): Transport {
  const ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca];
  const maxBytes = options.maxBytes ?? MAX_RESPONSE_BYTES;
  return (req: HttpRequest, { timeoutMs, signal }) =>
    new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        return reject(new TransportError('network', `not a URL: ${req.url}`));
      }
      if (url.protocol !== 'https:')
        return reject(new TransportError('network', `${url.origin}: only https:// endpoints are used`));
      if (signal?.aborted) return reject(new TransportError('aborted', 'cancelled'));
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      let settled = false;
      const finish = (err: TransportError | undefined, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          r.destroy();
          reject(err);
        } else resolve(res!);
      };
      const r = httpsRequest(url, {
        method: req.method,
        headers: {
          ...req.headers,
          'Accept-Encoding': 'gzip, deflate',
          ...(body ? { 'Content-Length': String(body.length) } : {}),
        },
        ...(ca ? { ca } : {}),
      });
      const timer = setTimeout(
        () => finish(new TransportError('timeout', `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => finish(new TransportError('aborted', 'cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      r.on('error', (err) =>
        finish(new TransportError('network', `${url.origin}: ${err.message}`, { cause: err })),
      );
      r.on('response', (res) => {
        const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
        let stream: Readable = res;
        if (encoding === 'gzip') stream = res.pipe(createGunzip());
        else if (encoding === 'deflate') stream = res.pipe(createInflate());
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            finish(new TransportError('too-large', `the answer is larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', (err) =>
          finish(new TransportError('network', `${url.origin}: ${err.message}`, { cause: err })),
        );
        stream.on('end', () => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers))
            headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      r.end(body);
    });
}
